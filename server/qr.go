package server

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// qrRoutes registers the QR images and the pages they lead to, and the
// icon the phones showing those pages ask for.
func (s *srv) qrRoutes(app *fiber.App) {
	app.Get("/favicon.ico", favicon)
	app.Get("/qr/:file", s.qrImage)
	app.Get("/products/:id", s.productPage)
	app.Get("/orders/:ref", s.orderPage)
	app.Get("/orders/*", func(c *fiber.Ctx) error { return s.orderMissing(c, fiber.StatusNotFound) }) // a link cut short or with a path added
}

// faviconMaxAge is how long a browser may keep the answer to
// /favicon.ico: a day.
const faviconMaxAge = "86400"

// favicon serves GET /favicon.ico, which a phone's browser asks for with
// every order page: 204, no icon, and no warning in the log (a 404 would
// log one for every page view).
func favicon(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age="+faviconMaxAge)
	return c.SendStatus(fiber.StatusNoContent)
}

// qrImage serves GET /qr/<token>.png: the QR code of a signed, unexpired
// token, cacheable by anyone (the token fixes the image), with an ETag and
// 304 for a matching If-None-Match. Forged and expired tokens are 404.
func (s *srv) qrImage(c *fiber.Ctx) error {
	token, ok := strings.CutSuffix(c.Params("file"), ".png")
	if !ok || token == "" || s.cfg.QR == nil {
		return writeReason(c, fiber.StatusNotFound, "not found")
	}
	png, etag, err := s.cfg.QR.PNG(token)
	if err != nil {
		note(c, "err", err.Error())
		return writeReason(c, fiber.StatusNotFound, "not found")
	}
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(int(s.cfg.QRMaxAge.Seconds())))
	if etagMatch(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// etagMatch reports whether an If-None-Match header names etag: "*", or a
// comma-separated list compared weakly (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// productPageTmpl is a product's page: what is on sale, for how much, and
// where it is paid (an offer card's QR code leads to the order page instead).
var productPageTmpl = template.Must(template.New("product").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.Name}}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em}.price{font-size:1.6em}</style>
</head><body>
<h1>{{.Name}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
<p class="price">{{.Price}}</p>
<p>请在叮当App中完成支付</p>
</body></html>
`))

// productPage serves GET /products/<id>: the product's name, description and
// price in yuan. Unknown products are 404.
func (s *srv) productPage(c *fiber.Ctx) error {
	if s.cfg.Catalog == nil {
		return writeReason(c, fiber.StatusNotFound, "not found")
	}
	p, ok := s.cfg.Catalog.Product(c.Params("id"))
	if !ok {
		return s.orderMissing(c, fiber.StatusNotFound) // a page a phone can read, not JSON
	}
	var buf bytes.Buffer
	err := productPageTmpl.Execute(&buf, struct{ Name, Description, Price string }{p.Name, p.Description, p.Price.Yuan()})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
