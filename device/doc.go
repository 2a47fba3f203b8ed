// Package device turns what the dialog wants to say into what a speaker can
// show. The dialog (skill/intents) produces one device-neutral View per turn;
// a Renderer for the kind of device (device/screen for speakers with a
// screen, device/headless for voice-only ones) turns it into a TSK response.
//
// Adding a device kind is one package under device/ implementing Renderer,
// plus one line where device capabilities pick a renderer.
package device
