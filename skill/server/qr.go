package server

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// qrRoutes registers the QR images and the offer landing page.
func (s *srv) qrRoutes(app *fiber.App) {
	app.Get("/qr/:file", s.qrImage)
	app.Get("/offer/:token", s.offerPage)
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

// offerPageTmpl is the landing page a screenless user's QR code, or a link,
// may point at: what is being bought, for how much, and where to pay.
var offerPageTmpl = template.Must(template.New("offer").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:28em;margin:2em auto;padding:0 1em}.total{font-size:1.6em}</style>
</head><body>
<h1>{{.Title}}</h1>
<ul>{{range .Lines}}<li>{{.Name}} × {{.Quantity}}：{{.Amount}}</li>{{end}}</ul>
<p class="total">合计 {{.Total}}</p>
<p>请在叮当App中完成支付</p>
</body></html>
`))

type offerLine struct {
	Name     string
	Quantity int64
	Amount   string
}

// offerPage serves GET /offer/<offer token> as a small HTML page; forged and
// expired offers are 404.
func (s *srv) offerPage(c *fiber.Ctx) error {
	if s.cfg.Offers == nil || s.cfg.Catalog == nil {
		return writeReason(c, fiber.StatusNotFound, "not found")
	}
	o, err := s.cfg.Offers.Verify(c.Params("token"))
	if err != nil {
		note(c, "err", err.Error())
		return writeReason(c, fiber.StatusNotFound, "not found")
	}
	data := struct {
		Title, Total string
		Lines        []offerLine
	}{Total: o.TotalAmt.Yuan()}
	for _, l := range o.Items {
		name := l.ItemID
		if p, ok := s.cfg.Catalog.Product(l.ItemID); ok {
			name = p.Name
		}
		data.Lines = append(data.Lines, offerLine{Name: name, Quantity: l.Quantity, Amount: l.Amount.Yuan()})
	}
	data.Title = "确认购买"
	if len(data.Lines) == 1 {
		data.Title = data.Lines[0].Name
	}
	var buf bytes.Buffer
	if err := offerPageTmpl.Execute(&buf, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}
