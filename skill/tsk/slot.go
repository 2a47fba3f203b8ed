package tsk

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Confirmation statuses of an intent or a slot.
const (
	Confirmed      = "CONFIRMED"
	Denied         = "DENIED"
	NoConfirmation = "NONE"
)

// Slot value types (Value.Type).
const (
	ValueText     = "text"
	ValueUnit     = "unit"
	ValueAddress  = "address"
	ValueDateTime = "datetime"
)

// Kinds of datetime values (DateTimeValue.Type).
const (
	DateTimeNormal   = "NORMAL"
	DateTimeInterval = "INTERVAL"
	DateTimeRepeat   = "REPEAT"
)

// Repeat units of a REPEAT datetime (DateTimeValue.RepeatType).
const (
	RepeatYear    = "YEAR"
	RepeatMonth   = "MONTH"
	RepeatWeek    = "WEEK"
	RepeatDay     = "DAY"
	RepeatHour    = "HOUR"
	RepeatMinute  = "MINUTE"
	RepeatWorkday = "WORKDAY"
	RepeatWeekend = "WEEKEND"
)

// Intent is what the platform understood the user wants: a name, a
// confirmation status and the slots it filled.
type Intent struct {
	Name               string          `json:"name"`
	ConfirmationStatus string          `json:"confirmationStatus"`
	Slots              map[string]Slot `json:"slots"`
}

// MarshalJSON emits the intent the way the response schema requires it in
// Dialog.ElicitSlot's updatedIntent: slots is always an object (never null)
// and an empty confirmationStatus becomes "NONE". The whole intent is
// converted to plain wire types first and marshalled in one pass (nested
// MarshalJSON methods would each be re-validated by the encoder).
func (in Intent) MarshalJSON() ([]byte, error) {
	w := intentJSON{Name: in.Name, ConfirmationStatus: status(in.ConfirmationStatus), Slots: make(map[string]slotJSON, len(in.Slots))}
	for k, s := range in.Slots {
		w.Slots[k] = s.wire()
	}
	return json.Marshal(w)
}

// status is a confirmation status as the schema requires: "NONE" when empty.
func status(s string) string {
	if s == "" {
		return NoConfirmation
	}
	return s
}

// intentJSON, slotJSON and slotValueJSON are the wire shapes of Intent,
// Slot and SlotValue, with no MarshalJSON methods of their own.
type intentJSON struct {
	Name               string              `json:"name"`
	ConfirmationStatus string              `json:"confirmationStatus"`
	Slots              map[string]slotJSON `json:"slots"`
}

type slotJSON struct {
	Name               string          `json:"name"`
	ConfirmationStatus string          `json:"confirmationStatus"`
	Values             []slotValueJSON `json:"values,omitempty"`
}

type slotValueJSON struct {
	Value valueOut `json:"value"`
}

// Slot returns the first value of the named slot, and whether there is one.
func (in *Intent) Slot(name string) (Value, bool) {
	if in == nil {
		return Value{}, false
	}
	s, ok := in.Slots[name]
	if !ok || len(s.Values) == 0 {
		return Value{}, false
	}
	return s.Values[0].Value, true
}

// Slot is one named slot of an intent with the values the platform heard.
type Slot struct {
	Name               string      `json:"name"`
	ConfirmationStatus string      `json:"confirmationStatus"`
	Values             []SlotValue `json:"values,omitempty"`
}

// MarshalJSON emits an empty confirmationStatus as "NONE", as the schema
// requires one of NONE, CONFIRMED, DENIED.
func (s Slot) MarshalJSON() ([]byte, error) { return json.Marshal(s.wire()) }

// wire converts s to its plain wire shape.
func (s Slot) wire() slotJSON {
	w := slotJSON{Name: s.Name, ConfirmationStatus: status(s.ConfirmationStatus)}
	if len(s.Values) > 0 {
		w.Values = make([]slotValueJSON, len(s.Values))
		for i, v := range s.Values {
			w.Values[i].Value = v.Value.wire()
		}
	}
	return w
}

// SlotValue wraps one value of a slot: {"value": {...}}, the form of the
// platform's requests and of its Dialog.ElicitSlot example. (The platform's
// response schema instead describes the bare value, without the wrapper;
// both forms decode, the wrapped one is written.)
type SlotValue struct {
	Value Value `json:"value"`
}

// UnmarshalJSON reads {"value": {...}}, or a bare value {"type": ...}.
func (sv *SlotValue) UnmarshalJSON(data []byte) error {
	var probe struct {
		Type  *string         `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return err
	}
	if probe.Type != nil { // bare value, as in the response schema
		return json.Unmarshal(data, &sv.Value)
	}
	*sv = SlotValue{}
	if len(probe.Value) == 0 {
		return nil
	}
	return json.Unmarshal(probe.Value, &sv.Value)
}

// Value is one slot value. Type says which fields are meaningful:
//   - text: Value
//   - unit: Amount (a decimal string) and Unit
//   - address: Country … Village and Title
//   - datetime: DateTime
//
// Origin, the words the user said, is set for every type.
type Value struct {
	Type     string
	Value    string // text
	Amount   string // unit
	Unit     string // unit
	Country  string // address
	Province string // address
	City     string // address
	District string // address
	Town     string // address
	Village  string // address
	Title    string // address
	DateTime *DateTimeValue
	Origin   string
}

// Text returns the value as plain words: the text of a text value, amount and
// unit of a unit value, the title of an address, and otherwise the origin.
func (v Value) Text() string {
	switch {
	case v.Type == ValueText && v.Value != "":
		return v.Value
	case v.Type == ValueUnit && v.Amount != "":
		return v.Amount + v.Unit
	case v.Type == ValueAddress && v.Title != "":
		return v.Title
	}
	return v.Origin
}

// DateTimeValue is the value of a datetime slot: a point in time (NORMAL), a
// span (INTERVAL) or a repetition (REPEAT).
type DateTimeValue struct {
	Type       string    `json:"type"`
	DateTime   *DateTime `json:"datetime,omitempty"`   // NORMAL
	Amount     string    `json:"amount,omitempty"`     // REPEAT
	RepeatType string    `json:"repeatType,omitempty"` // REPEAT
	Start      *DateTime `json:"start,omitempty"`      // INTERVAL, REPEAT
	End        *DateTime `json:"end,omitempty"`        // INTERVAL, REPEAT
}

// DateTime is a date ("2019-05-20") and/or a time ("19:35:05").
type DateTime struct {
	Date string `json:"date,omitempty"`
	Time string `json:"time,omitempty"`
}

// valueJSON is the wire shape of Value with the polymorphic "value" field
// raw, as read. Written values use valueOut.
type valueJSON struct {
	Type     string          `json:"type"`
	Value    json.RawMessage `json:"value,omitempty"`
	Amount   string          `json:"amount,omitempty"`
	Unit     string          `json:"unit,omitempty"`
	Country  string          `json:"country,omitempty"`
	Province string          `json:"province,omitempty"`
	City     string          `json:"city,omitempty"`
	District string          `json:"district,omitempty"`
	Town     string          `json:"town,omitempty"`
	Village  string          `json:"village,omitempty"`
	Title    string          `json:"title,omitempty"`
	Origin   string          `json:"origin"`
}

// valueOut is the written shape of Value: "value" is a string, a
// datetime object or absent, and a unit value always carries "amount" and
// "unit" (Unit is then set, perhaps empty, and Amount a pointer to it).
type valueOut struct {
	Type     string  `json:"type"`
	Value    any     `json:"value,omitempty"`
	Amount   *string `json:"amount,omitempty"`
	Unit     *string `json:"unit,omitempty"`
	Country  string  `json:"country,omitempty"`
	Province string  `json:"province,omitempty"`
	City     string  `json:"city,omitempty"`
	District string  `json:"district,omitempty"`
	Town     string  `json:"town,omitempty"`
	Village  string  `json:"village,omitempty"`
	Title    string  `json:"title,omitempty"`
	Origin   string  `json:"origin"`
}

// UnmarshalJSON reads a slot value: "value" is a string for text values and
// an object for datetime values.
func (v *Value) UnmarshalJSON(data []byte) error {
	var w valueJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*v = Value{Type: w.Type, Amount: w.Amount, Unit: w.Unit, Country: w.Country,
		Province: w.Province, City: w.City, District: w.District, Town: w.Town,
		Village: w.Village, Title: w.Title, Origin: w.Origin}
	raw := bytes.TrimSpace(w.Value)
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
	case raw[0] == '{':
		v.DateTime = new(DateTimeValue)
		if err := json.Unmarshal(raw, v.DateTime); err != nil {
			return fmt.Errorf("slot value: datetime: %w", err)
		}
	case raw[0] == '"':
		if err := json.Unmarshal(raw, &v.Value); err != nil {
			return err
		}
	default:
		v.Value = string(raw) // a bare number or bool: keep its text
	}
	return nil
}

// MarshalJSON writes the fields of v's type, always with "origin"; text
// values always carry "value" and unit values "amount" and "unit", as the
// response schema requires.
func (v Value) MarshalJSON() ([]byte, error) { return json.Marshal(v.wire()) }

// wire converts v to its written shape.
func (v Value) wire() valueOut {
	if v.Type == ValueUnit { // amount and unit are required even when empty
		return valueOut{Type: v.Type, Amount: &v.Amount, Unit: &v.Unit, Origin: v.Origin}
	}
	w := valueOut{Type: v.Type, Country: v.Country, Province: v.Province, City: v.City,
		District: v.District, Town: v.Town, Village: v.Village, Title: v.Title, Origin: v.Origin}
	if v.Amount != "" {
		w.Amount = &v.Amount
	}
	if v.Unit != "" {
		w.Unit = &v.Unit
	}
	switch {
	case v.DateTime != nil:
		w.Value = v.DateTime
	case v.Value != "" || v.Type == ValueText:
		w.Value = v.Value
	}
	return w
}

// TextValue returns a text slot value whose value and origin are s.
func TextValue(s string) Value {
	return Value{Type: ValueText, Value: s, Origin: s}
}
