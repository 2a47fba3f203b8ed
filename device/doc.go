// Package device names the kinds of speaker the skill answers and renders a
// turn for each of them under the platform's protocol rules.
//
// The kind of a request's device is decided once (Of, or a configured
// override) and passed on as a *Kind value. The dialog (skill/intents)
// produces one device-neutral ui.View per turn; Renderers.Render turns it
// into a TSK response with the kind's renderer (device/screen for speakers
// with a screen, device/headless for voice-only ones) and then applies the
// protocol rules (Enforce).
//
// Adding a kind of device is one package under device/ implementing
// ui.Renderer, plus its entry in the list in kinds.go.
package device
