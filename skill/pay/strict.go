package pay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckJSON refuses a pay message that two readers could read two ways,
// before it is decoded: invalid UTF-8 (Go's decoder would quietly replace
// it), and an object with a key twice, also when spelled in another case
// ("totalAmt" then "TOTALAMT": Go's decoder takes the last of either,
// another reader maybe the first). The signature covers the bytes, not one
// reading of them.
func CheckJSON(body []byte) error {
	if !utf8.Valid(body) {
		return errors.New("invalid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // numbers are not read, only skipped
	// One frame per open object or array: the keys an object has (folded),
	// and whether its next string is a key.
	type frame struct {
		keys    map[string]bool
		wantKey bool
	}
	var stack []frame
	values := 0 // top-level values read
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return io.ErrUnexpectedEOF
			}
			return nil
		}
		if err != nil {
			return err
		}
		top := len(stack) - 1
		if top < 0 && values > 0 {
			return errors.New("more than one JSON value")
		}
		if top < 0 {
			values++
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				if top >= 0 && stack[top].keys != nil {
					stack[top].wantKey = true // this object is the value of a key
				}
				stack = append(stack, frame{keys: map[string]bool{}, wantKey: true})
			case '[':
				if top >= 0 && stack[top].keys != nil {
					stack[top].wantKey = true
				}
				stack = append(stack, frame{})
			default: // '}', ']'
				stack = stack[:top]
			}
			continue
		}
		if top < 0 || stack[top].keys == nil {
			continue // a value in an array, or the whole message
		}
		if !stack[top].wantKey {
			stack[top].wantKey = true // the value of the key before
			continue
		}
		key, _ := tok.(string)
		folded := foldKey(key)
		if stack[top].keys[folded] {
			return fmt.Errorf("key %q twice", key)
		}
		stack[top].keys[folded] = true
		stack[top].wantKey = false
	}
}

// foldKey maps a key to one spelling of all those Go's decoder matches to
// it: each rune to the smallest of its case orbit ("K", "k" and the Kelvin
// sign alike).
func foldKey(key string) string {
	var b strings.Builder
	for _, r := range key {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
