// Package device names the kinds of speaker the skill answers. The dialog
// (skill/intents) produces one device-neutral ui.View per turn; the
// renderer of the request's kind of device (device/screen for speakers with
// a screen, device/headless for voice-only ones) turns it into a TSK
// response.
package device
