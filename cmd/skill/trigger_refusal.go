package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// refusal explains an answer of the skill that is not 200: what the
// server refused and why, in the words of its reason (the pay reply's
// retMsg or the /skill error). It returns nil for a 200.
//
// A sandbox whose clock was moved ahead refuses what is signed with real
// time as stale. The refusal of a request that does not authenticate is
// unsigned (no RSA work for it), so the reply's signature does not verify
// either, but that is not what went wrong: the refusal comes first. (A
// signed refusal, from an older server, also tells the server's time.)
func refusal(status int, body []byte, rec *lastExchange) error {
	if status == http.StatusOK {
		return nil
	}
	var r struct {
		RetMsg string `json:"retMsg"`
		Error  string `json:"error"`
	}
	_ = json.Unmarshal(body, &r)
	reason := cmpOr(r.RetMsg, r.Error)
	sent, ours := signedAt(rec.requestAuth)
	theirs, known := signedAt(rec.replyAuth)
	var why string
	switch reason {
	case "stale", "future":
		why = fmt.Sprintf("the server refused the request as %s: a request must be signed within minutes of the server's own clock", reason)
		if ours {
			why += fmt.Sprintf("; this request was signed at %s (this machine's clock)", sent.Format(time.RFC3339))
		}
		if ours && known {
			skew := theirs.Sub(sent).Truncate(time.Second)
			why += fmt.Sprintf(" and the server's reply at %s, %v later", theirs.Format(time.RFC3339), skew)
		}
		if reason == "stale" {
			why += ". A sandbox whose clock was moved ahead (POST /sandbox/platform/advance) refuses what is signed now " +
				"until it is moved back (POST /sandbox/platform/rewind {\"by\":\"…\"}) or restarted"
		} else {
			why += ". Check this machine's clock"
		}
	case "bad signature", "not signed", "algorithm not allowed":
		why = fmt.Sprintf("the server refused the request's signature (%s): --platform-key (or --hmac and SKILL_SECRET) is not what the server checks with (its SKILL_TSK_PUBLIC_KEY, SKILL_SECRET)", reason)
	case "replayed":
		why = "the server has already seen this request's requestId and refused it as replayed"
	case "wrong skill":
		why = "the server refused the request: it is for another skill (SKILL_ID differs from the server's)"
	case "":
		why = fmt.Sprintf("the server refused the request with HTTP %d", status)
	default:
		why = fmt.Sprintf("the server refused the request: %s", reason)
	}
	return fmt.Errorf("HTTP %d %s: %s", status, cmpOr(reason, http.StatusText(status)), why)
}

// signedAt is the time an Authorization header signed at.
func signedAt(header string) (time.Time, bool) {
	if header == "" {
		return time.Time{}, false
	}
	a, err := tsk.ParseAuthorization(header)
	if err != nil {
		return time.Time{}, false
	}
	at, err := tsk.ParseTime(a.Datetime)
	return at.UTC(), err == nil
}
