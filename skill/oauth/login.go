package oauth

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// Login says who the person at the browser is during an authorization
// request. The skill keeps no passwords of its own: in production the
// developer's identity provider answers (OIDC); DevLogin is for
// development.
type Login interface {
	// Authenticate returns the account of the person making the
	// authorization request r (its form parsed, its client and
	// redirect_uri checked), or "" after writing an answer of its own: a
	// sign-in form, a redirect to an identity provider.
	Authenticate(w http.ResponseWriter, r *http.Request) (account string, err error)
}

// Callback is a Login whose identity provider sends the person back to
// GET /oauth/callback. It returns the parameters of the authorization
// request the sign-in started from (nil when it cannot tell them: a forged
// or stale callback) and the account signed in; an error with parameters
// means the provider refused the person.
type Callback interface {
	Login
	Callback(w http.ResponseWriter, r *http.Request) (params url.Values, account string, err error)
}

// DevLogin signs anyone in as any account: a form to type the account
// name, or login_hint=NAME on the authorization request to sign in at
// once (for tests and scripts). For development only: `skill serve`
// refuses it unless SKILL_DEV=1.
type DevLogin struct{}

// Authenticate takes the account from the form's "account" field (POST) or
// login_hint; without either it shows the form, and with a name that is no
// account id it shows the form again with the reason.
func (DevLogin) Authenticate(w http.ResponseWriter, r *http.Request) (string, error) {
	account := r.Form.Get("login_hint")
	if r.Method == http.MethodPost {
		account = r.PostForm.Get("account")
	}
	account = strings.TrimSpace(account)
	if account == "" {
		loginPage(w, http.StatusOK, r.Form, "")
		return "", nil
	}
	if err := shop.CheckAccount(account); err != nil {
		loginPage(w, http.StatusBadRequest, r.Form, "账号名无效："+shop.ErrorMessage(err))
		return "", nil
	}
	return account, nil
}

// page is the layout of the pages a phone shows (the platform opens them
// in the Dingdang app): one column, large type and targets.
var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC",sans-serif;margin:0;padding:24px;max-width:480px;margin:auto;font-size:18px;line-height:1.5}
h1{font-size:22px}
input,button{box-sizing:border-box;width:100%;font-size:18px;padding:12px;margin:8px 0;border-radius:8px}
input{border:1px solid #999}
button{border:0;background:#1677ff;color:#fff}
.error{color:#c00}
.note{color:#666;font-size:15px}
</style></head><body>
<h1>{{.Title}}</h1>
{{if .Error}}<p class="error">{{.Error}}</p>{{end}}
{{if .Form}}<form method="post" action="/oauth/authorize">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="account">账号名</label>
<input id="account" name="account" autocomplete="username" autocapitalize="none" required autofocus>
<button type="submit">登录并关联</button>
</form>
<p class="note">开发用登录：输入任意账号名即可。正式环境由开发者的账号系统登录。</p>
{{else}}<p>{{.Message}}</p>{{end}}
</body></html>
`))

type hidden struct{ Name, Value string }

type pageData struct {
	Title, Error, Message string
	Form                  bool
	Hidden                []hidden
}

// loginPage shows the development sign-in form; the authorization
// request's parameters ride along as hidden fields.
func loginPage(w http.ResponseWriter, status int, q url.Values, errMsg string) {
	d := pageData{Title: "关联账号", Error: errMsg, Form: true}
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "account" && k != "login_hint" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.Hidden = append(d.Hidden, hidden{k, q.Get(k)})
	}
	render(w, status, d)
}

// errorPage shows why an authorization request cannot go on.
func errorPage(w http.ResponseWriter, status int, msg string) {
	render(w, status, pageData{Title: "无法关联账号", Message: msg})
}

func render(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = page.Execute(w, d)
}
