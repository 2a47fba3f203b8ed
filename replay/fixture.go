package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"
	"gopkg.in/yaml.v3"

	"github.com/dingdang-voicepay/voicepay/device"
	"github.com/dingdang-voicepay/voicepay/internal/days"
)

// Request kinds of a user turn (UserTurn.Request); "" is an intent.
const (
	RequestIntent          = "intent"
	RequestLaunch          = "launch"
	RequestSessionEnded    = "session-ended"
	RequestElementSelected = "element-selected"
)

// Steps of a platform turn (PlatformTurn.Step).
const (
	StepCreateOrder         = "create-order"
	StepPay                 = "pay"
	StepShipNotify          = "ship-notify"
	StepConnectionsResponse = "connections-response"
	StepRefundNotify        = "refund-notify"
	StepAdvance             = "advance"     // move the clock of the skill and the platform forward (By)
	StepLink                = "link"        // the user links an account in the Dingdang app (Account)
	StepNewUserID           = "new-user-id" // the user re-adds the skill: a new platform userId, the same link
)

// How a connections-response names the order (PlatformTurn.IDs); "" is as
// the document says: partnerOrderId is the tradeNo.
const (
	IDsSwapped = "swapped" // dingdangOrderId and partnerOrderId exchanged, as in the platform's example
	IDsMissing = "missing" // neither id sent
)

var (
	requestKinds = []string{"", RequestIntent, RequestLaunch, RequestSessionEnded, RequestElementSelected}
	steps        = []string{StepCreateOrder, StepPay, StepShipNotify, StepConnectionsResponse, StepRefundNotify, StepAdvance,
		StepLink, StepNewUserID}
)

// Fixture is one conversation read from a txtar file.
type Fixture struct {
	Path   string // where it was read from
	Title  string
	Device *device.Kind // from the header's "device: <name>" (device.Parse)
	User   string       // the platform user id
	// Account, from the header's "account: NAME", is linked before the
	// first turn: every request carries its access token.
	Account string
	Turns   []Turn

	header []byte // the txtar comment, kept verbatim for Update
}

// Turn is one step of a conversation: a user turn or a platform turn, and
// the answer it must get. Want is nil when the fixture has no want block yet.
type Turn struct {
	N        int
	User     *UserTurn
	Platform *PlatformTurn
	Want     *Want

	section txtar.File // the request section, kept verbatim for Update
}

// UserTurn is a skill request the speaker's user causes.
type UserTurn struct {
	Say          string            `yaml:"say,omitempty"`
	Request      string            `yaml:"request,omitempty"`
	Intent       string            `yaml:"intent,omitempty"`
	Slots        map[string]string `yaml:"slots,omitempty,flow"`
	Confirmation string            `yaml:"confirmation,omitempty"`
	Token        string            `yaml:"token,omitempty"`
	Reason       string            `yaml:"reason,omitempty"`
	Session      string            `yaml:"session,omitempty"`
	// Meant is what the user said when Say is what speech recognition
	// wrote instead (a mishearing the skill must cope with, such as
	// 万股神地 for 万古神帝). Replay ignores it; the simulator shows such
	// utterances apart, as simulated recognition errors.
	Meant string `yaml:"meant,omitempty"`
}

// PlatformTurn is one step of the platform's pay side.
type PlatformTurn struct {
	Step   string `yaml:"step"`
	Copies int    `yaml:"copies,omitempty"` // ship-notify: how many times
	Status string `yaml:"status,omitempty"` // refund-notify: SUCCESS or FAIL
	IDs    string `yaml:"ids,omitempty"`    // connections-response: swapped or missing
	By     string `yaml:"by,omitempty"`     // advance: how far: "2h", "8d", "1d12h"
	// Order is for connections-response: which of the conversation's
	// orders the jump names, 1 for the first (default: the last).
	Order int `yaml:"order,omitempty"`
	// Account is for link: the account name the user signs in as.
	Account string `yaml:"account,omitempty"`
}

// Kind returns "user" or "platform".
func (t Turn) Kind() string {
	if t.Platform != nil {
		return "platform"
	}
	return "user"
}

// Error is a broken fixture: it names the file and, when known, the line
// in the file and the turn.
type Error struct {
	Path string
	Line int // 1-based line in the file; 0 when not known
	Turn int // 0 for the header or the file as a whole
	Err  error
}

func (e *Error) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Turn > 0 {
		return fmt.Sprintf("%s: turn %d: %v", where, e.Turn, e.Err)
	}
	return fmt.Sprintf("%s: %v", where, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrNoWant is wrapped by the error for a turn without a want block (run
// with Update to write one).
var ErrNoWant = errors.New("no want block (run with -update to record one)")

// ParseFile reads and parses the fixture at path.
func ParseFile(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Path: path, Err: err}
	}
	return Parse(path, data)
}

// Parse parses a fixture. Turns without a want block are allowed here; the
// Runner refuses them unless it updates.
func Parse(path string, data []byte) (*Fixture, error) {
	a := txtar.Parse(data)
	f := &Fixture{Path: path, header: a.Comment}
	if line, err := f.parseHeader(a.Comment); err != nil {
		return nil, &Error{Path: path, Line: line, Err: err}
	}
	markers := markerLines(data)
	for i, sec := range a.Files {
		marker := 0
		if i < len(markers) {
			marker = markers[i]
		}
		n, kind, err := sectionName(sec.Name)
		if err != nil {
			return nil, &Error{Path: path, Line: marker, Turn: n, Err: err}
		}
		fail := func(format string, args ...any) error {
			return &Error{Path: path, Line: marker, Turn: n, Err: fmt.Errorf(format, args...)}
		}
		yamlFail := func(err error) error {
			line, msg := inFile(err, marker)
			return &Error{Path: path, Line: cmpInt(line, marker), Turn: n, Err: fmt.Errorf("%s: %s", sec.Name, msg)}
		}
		switch kind {
		case "user", "platform":
			if want := len(f.Turns) + 1; n != want {
				return nil, fail("section %q: expected turn %d next", sec.Name, want)
			}
			t := Turn{N: n, section: sec}
			if kind == "user" {
				t.User = new(UserTurn)
				err = decodeStrict(sec.Data, t.User)
			} else {
				t.Platform = new(PlatformTurn)
				err = decodeStrict(sec.Data, t.Platform)
			}
			if err != nil {
				return nil, yamlFail(err)
			}
			if err := t.check(); err != nil {
				return nil, fail("%v", err)
			}
			f.Turns = append(f.Turns, t)
		case "want":
			if len(f.Turns) == 0 || f.Turns[len(f.Turns)-1].N != n {
				return nil, fail("section %q does not follow turn %d's user or platform section", sec.Name, n)
			}
			last := &f.Turns[len(f.Turns)-1]
			if last.Want != nil {
				return nil, fail("two want sections")
			}
			last.Want = new(Want)
			if err := decodeStrict(sec.Data, last.Want); err != nil {
				return nil, yamlFail(err)
			}
		}
	}
	if len(f.Turns) == 0 {
		return nil, &Error{Path: path, Err: errors.New("no turns (sections \"1 user\", \"1 want\", ...)")}
	}
	return f, nil
}

// sectionName splits "3 want" into 3 and "want".
func sectionName(name string) (int, string, error) {
	num, kind, ok := strings.Cut(strings.TrimSpace(name), " ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n <= 0 {
		return 0, "", fmt.Errorf("section %q: want \"<turn> user\", \"<turn> platform\" or \"<turn> want\"", name)
	}
	kind = strings.TrimSpace(kind)
	if kind != "user" && kind != "platform" && kind != "want" {
		return n, "", fmt.Errorf("section %q: unknown kind %q (want user, platform or want)", name, kind)
	}
	return n, kind, nil
}

// markerLines returns the 1-based line numbers of the txtar section
// markers ("-- name --") in data, in order.
func markerLines(data []byte) []int {
	var out []int
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --") && len(line) >= 6 {
			out = append(out, i+1)
		}
	}
	return out
}

var (
	yamlLine     = regexp.MustCompile(`line (\d+): `)
	unknownField = regexp.MustCompile(`field (\S+) not found in type \S+`)
)

// inFile rewrites a YAML error of the section after the marker line: its
// line numbers become lines of the file, an unknown field is called so,
// and the first line is returned.
func inFile(err error, marker int) (int, string) {
	first := 0
	msg := strings.ReplaceAll(err.Error(), "yaml: unmarshal errors:\n  ", "")
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		k, _ := strconv.Atoi(yamlLine.FindStringSubmatch(m)[1])
		if first == 0 {
			first = marker + k
			return "" // the error's own line: Error names it
		}
		return fmt.Sprintf("line %d: ", marker+k)
	})
	msg = unknownField.ReplaceAllString(msg, `unknown field "$1"`)
	return first, strings.ReplaceAll(msg, "\n  ", "; ")
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// parseHeader reads the "key: value" lines of the comment; on error it
// returns the line (1-based).
func (f *Fixture) parseHeader(comment []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(comment))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			return n, fmt.Errorf("header line %q: want \"key: value\"", line)
		}
		val = strings.TrimSpace(val)
		if i := strings.Index(val, " #"); i >= 0 {
			val = strings.TrimSpace(val[:i])
		}
		switch strings.TrimSpace(key) {
		case "title":
			f.Title = val
		case "device":
			k, err := device.Parse(val)
			if err != nil {
				return n, fmt.Errorf("header: %w", err)
			}
			f.Device = k
		case "user":
			f.User = val
		case "account":
			f.Account = val
		default:
			return n, fmt.Errorf("header: unknown key %q (want title, device, user, account)", key)
		}
	}
	switch {
	case f.Device == nil:
		return 0, fmt.Errorf("header: no device (want %s)", strings.Join(device.Names(), " or "))
	case f.User == "":
		return 0, errors.New("header: no user")
	case f.Title == "":
		return 0, errors.New("header: no title")
	}
	return 0, nil
}

// check reports what is wrong with a turn's request.
func (t Turn) check() error {
	if p := t.Platform; p != nil {
		if !slices.Contains(steps, p.Step) {
			return fmt.Errorf("unknown step %q (want one of %s)", p.Step, strings.Join(steps, ", "))
		}
		if p.Copies < 0 || (p.Copies > 0 && p.Step != StepShipNotify) {
			return fmt.Errorf("copies is for ship-notify only, and at least 1")
		}
		if p.Status != "" && (p.Step != StepRefundNotify || (p.Status != "SUCCESS" && p.Status != "FAIL")) {
			return fmt.Errorf("status is for refund-notify only: SUCCESS or FAIL")
		}
		if p.IDs != "" && (p.Step != StepConnectionsResponse || (p.IDs != IDsSwapped && p.IDs != IDsMissing)) {
			return fmt.Errorf("ids is for connections-response only: %s or %s", IDsSwapped, IDsMissing)
		}
		if p.Order < 0 || (p.Order > 0 && p.Step != StepConnectionsResponse) {
			return fmt.Errorf("order is for connections-response only, and at least 1")
		}
		if (p.By != "") != (p.Step == StepAdvance) {
			return fmt.Errorf("by is for advance only, and advance needs it")
		}
		if (p.Account != "") != (p.Step == StepLink) {
			return fmt.Errorf("account is for link only, and link needs it")
		}
		if d, err := days.Parse(p.By); p.By != "" && (err != nil || d <= 0) {
			return fmt.Errorf("by %q: want a positive duration, such as 2h or 8d", p.By)
		}
		return nil
	}
	u := t.User
	if !slices.Contains(requestKinds, u.Request) {
		return fmt.Errorf("unknown request %q (want intent, launch, session-ended or element-selected)", u.Request)
	}
	switch {
	case (u.Request == "" || u.Request == RequestIntent) && u.Intent == "":
		return errors.New("a user turn needs an intent (or request: launch, session-ended, element-selected)")
	case u.Request != "" && u.Request != RequestIntent && (u.Intent != "" || len(u.Slots) > 0):
		return fmt.Errorf("request %s takes no intent or slots", u.Request)
	case u.Request == RequestElementSelected && u.Token == "":
		return errors.New("element-selected needs a token")
	}
	return nil
}

// decodeStrict decodes one YAML document, refusing unknown keys. An empty
// block decodes to the zero value.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Files expands the arguments (files or directories, searched for *.txtar)
// into a sorted list of fixture files.
func Files(args ...string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") {
				out = append(out, p)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
