package tsktest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dingdang-voicepay/voicepay/shop"
	"github.com/dingdang-voicepay/voicepay/skill/tsk"
)

// ResponseSchema is the platform's response JSON Schema, a copy of
// shared/tsk/response.schema.json embedded so tests do not depend on the
// shared tree being present.
//
//go:embed testdata/response.schema.json
var ResponseSchema []byte

const schemaURL = "https://dingdang.invalid/response.schema.json"

// payPlaceholderURL stands in for the empty url of a pay:true playlist item
// while the rest of the item goes through the schema.
const payPlaceholderURL = "https://pay.placeholder.invalid/unpurchased"

var (
	schemaOnce sync.Once
	schemaErr  error
	respSchema *jsonschema.Schema
	videoPlay  *jsonschema.Schema
)

func compileSchemas() {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ResponseSchema))
	if err != nil {
		schemaErr = fmt.Errorf("tsktest: response schema: %w", err)
		return
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		schemaErr = fmt.Errorf("tsktest: response schema: %w", err)
		return
	}
	if respSchema, err = c.Compile(schemaURL); err != nil {
		schemaErr = fmt.Errorf("tsktest: response schema: %w", err)
		return
	}
	if videoPlay, err = c.Compile(schemaURL + "#/definitions/VideoPlayer/Play"); err != nil {
		schemaErr = fmt.Errorf("tsktest: response schema (VideoPlayer.Play): %w", err)
	}
}

// ValidateResponse fails tb unless body is a skill response the platform
// accepts; see CheckResponse for what is checked.
func ValidateResponse(tb testing.TB, body []byte) {
	tb.Helper()
	if err := CheckResponse(body); err != nil {
		tb.Fatalf("tsktest: invalid skill response: %v\nbody: %s", err, body)
	}
}

// CheckResponse checks body against the platform's response schema, with
// the platform's documented extensions that its schema predates, each
// checked by typed rules instead:
//   - the Charge directive (Connections.SendRequest named Charge) is removed
//     before schema validation; it must have name, userId and at least one
//     item, each with itemId, itemName, price > 0, count > 0 and
//     totalFee == price × count, and no unknown fields; at most one Charge;
//   - an AudioPlayer.Play playlist item with "pay": true (unpurchased) may
//     have an empty stream url; it still needs a token;
//   - VideoPlayer.Play, defined by the schema but missing from its list of
//     allowed directives, is checked against its own definition;
//
// Dialog.ElicitSlot gets no such leniency: the schema describes a bare slot
// value V in updatedIntent where the platform's requests and its ElicitSlot
// example wrap it as {"value": V}, so a reply valid for both carries no
// updatedIntent (the dialog keeps its state itself).
//
// All problems found are returned, joined.
func CheckResponse(body []byte) error {
	schemaOnce.Do(compileSchemas)
	if schemaErr != nil {
		return schemaErr
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("not JSON (100501): %w", err)
	}
	var errs []error
	if root, ok := inst.(map[string]any); ok {
		if resp, ok := root["response"].(map[string]any); ok {
			if ds, ok := resp["directives"].([]any); ok {
				resp["directives"], errs = extensions(ds)
			}
		}
	}
	if err := respSchema.Validate(inst); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// extensions checks and strips the directives the schema does not know,
// returning what remains for the schema.
func extensions(ds []any) ([]any, []error) {
	var errs []error
	keep := make([]any, 0, len(ds))
	charges := 0
	for i, d := range ds {
		m, _ := d.(map[string]any)
		typ, _ := m["type"].(string)
		name, _ := m["name"].(string)
		switch {
		case typ == tsk.DirectiveSendRequest && name == tsk.ChargeName:
			charges++
			if charges > 1 {
				errs = append(errs, fmt.Errorf("directives[%d]: more than one Charge", i))
			}
			if err := checkCharge(m); err != nil {
				errs = append(errs, fmt.Errorf("directives[%d]: Charge: %w", i, err))
			}
		case typ == tsk.DirectiveVideoPlay:
			if err := videoPlay.Validate(m); err != nil {
				errs = append(errs, fmt.Errorf("directives[%d]: %w", i, err))
			}
			if _, ok := m["playlist"]; !ok {
				errs = append(errs, fmt.Errorf("directives[%d]: VideoPlayer.Play: missing playlist", i))
			}
		case typ == tsk.DirectiveAudioPlay:
			errs = append(errs, payItems(i, m)...)
			keep = append(keep, m)
		default:
			keep = append(keep, d)
		}
	}
	return keep, errs
}

// payItems lets pay:true items through the schema with a placeholder url.
func payItems(i int, m map[string]any) []error {
	var errs []error
	list, _ := m["playlist"].([]any)
	for j, it := range list {
		item, _ := it.(map[string]any)
		if pay, _ := item["pay"].(bool); !pay {
			continue
		}
		stream, _ := item["stream"].(map[string]any)
		if stream == nil {
			continue // the schema reports it
		}
		if tok, _ := stream["token"].(string); tok == "" {
			errs = append(errs, fmt.Errorf("directives[%d].playlist[%d]: pay item without stream.token", i, j))
		}
		if url, _ := stream["url"].(string); url == "" {
			stream["url"] = payPlaceholderURL
		}
	}
	return errs
}

// checkCharge applies the typed rules to one Charge directive.
func checkCharge(m map[string]any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var c struct {
		Type    string            `json:"type"`
		Name    string            `json:"name"`
		Payload tsk.ChargePayload `json:"payload"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return err
	}
	ci := c.Payload.ChargeInfo
	var errs []error
	if strings.TrimSpace(ci.Name) == "" {
		errs = append(errs, errors.New("chargeInfo.name is empty"))
	}
	if strings.TrimSpace(ci.UserID) == "" {
		errs = append(errs, errors.New("chargeInfo.userId is empty"))
	}
	if len(ci.Items) == 0 {
		errs = append(errs, errors.New("chargeInfo.items is empty"))
	}
	for j, it := range ci.Items {
		errs = append(errs, checkChargeItem(j, it)...)
	}
	return errors.Join(errs...)
}

func checkChargeItem(j int, it tsk.ChargeItem) []error {
	var errs []error
	at := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("items[%d]: "+format, append([]any{j}, args...)...))
	}
	if it.ItemID == "" {
		at("itemId is empty")
	}
	if it.ItemName == "" {
		at("itemName is empty")
	}
	if it.Price <= 0 {
		at("price %d must be > 0", it.Price)
	}
	if it.Count <= 0 {
		at("count %d must be > 0", it.Count)
	}
	if want, err := shop.MulFen(it.Price, it.Count); err != nil {
		at("price × count: %v", err)
	} else if it.TotalFee != want {
		at("totalFee %d != price %d × count %d = %d", it.TotalFee, it.Price, it.Count, want)
	}
	return errs
}
