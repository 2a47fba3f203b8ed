package sandbox

import (
	"errors"
	"fmt"
	"strings"
)

// Refusal is an error the console answers a person with: Message in
// Chinese, for the simulator and whoever said the utterance, and Detail
// in English, the API advice for a developer calling with curl. The JSON
// answer carries both ({"error": Message, "detail": Detail}).
type Refusal struct {
	Message string
	Detail  string
}

func (r *Refusal) Error() string { return r.Message }

// notUnderstood is the answer to an utterance the NLU made nothing of.
func notUnderstood(text string) error {
	text = strings.TrimSpace(text)
	msg := "这句话沙箱还听不懂。"
	if text != "" {
		msg = "沙箱还听不懂“" + text + "”。"
	}
	msg += "换个说法试试，比如“有什么可以买”或“我要买万古神帝第35集”；也可以点下面的常用说法。" +
		"像“第二个”这样的回答，要在叮当提问之后再说。"
	return &Refusal{Message: msg,
		Detail: fmt.Sprintf(`the sandbox NLU did not understand %q: send "intent" (and "slots") to choose the intent yourself`, text)}
}

// errorBody is the JSON answer of a failed console call.
func errorBody(err error) map[string]string {
	if r, ok := errors.AsType[*Refusal](err); ok {
		return map[string]string{"error": r.Message, "detail": r.Detail}
	}
	return map[string]string{"error": err.Error()}
}
