// Package qr issues signed, expiring QR tokens and renders them as PNG images.
//
// A screened speaker shows the offer card with a QR code as its background
// image. The image is served from a URL that carries a token, never the raw
// content: Codes.Token signs the content and an expiry, and Codes.PNG checks
// the signature and the expiry before rendering, so nobody can make the skill
// render arbitrary QR codes or reuse an old one forever.
//
// A token is compact and URL-safe:
//
//	base64url(json{"c": content, "e": unix expiry}) "." base64url(hmac-sha256)
//
// The content of a card's QR code is itself a link to a phone page, the
// page of an offer and its order, named by the offer's own short, keyed
// reference (see skill/pay Offers): it lives as long as the offer is kept,
// for the user to come back for help or a refund.
//
// Rendering is the expensive part (a 512 px PNG takes milliseconds), so each
// content is rendered once and kept in a bounded LRU cache; concurrent first
// requests for the same content wait for a single render.
package qr
