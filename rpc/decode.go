package rpc

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tcms/tcms/store"
)

// Argument decoding: the readers of Kiwi's "values" dicts and loose
// parameters that many namespaces use. They coerce and word their errors
// as Kiwi's Django forms do. Readers that one namespace alone needs stay
// in its file.

// values is a Kiwi "values" dict. Its readers coerce as Kiwi's forms do and
// answer bad input with field errors; absent keys are reported as such.
type values map[string]any

// str reads a string; numbers are taken in their text form.
func (v values) str(key string) (s string, ok bool, err error) {
	switch x := v[key].(type) {
	case nil:
		return "", false, nil
	case string:
		return x, true, nil
	case int64, float64:
		return fmt.Sprint(x), true, nil
	}
	return "", false, store.Errorf(store.Invalid, "%s: Enter a valid value.", key)
}

// boolean reads a boolean; "false", "0" and 0 are false, as in Kiwi.
func (v values) boolean(key string) (b bool, ok bool, err error) {
	switch x := v[key].(type) {
	case nil:
		return false, false, nil
	case bool:
		return x, true, nil
	case int64:
		return x != 0, true, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, true, nil
		}
	}
	return false, false, store.Errorf(store.Invalid, "%s: Enter a valid boolean.", key)
}

// only refuses keys outside allowed, naming them all, so that a misspelt or
// unsupported field is not silently ignored.
func (v values) only(allowed ...string) error {
	var unknown []string
	for k := range v {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return invalidParams("unknown key(s) in values: %s; known keys are %s", strings.Join(unknown, ", "), strings.Join(allowed, ", "))
}

// refs reads one reference (id or name) or a list of them.
func refs(key string, v any) ([]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, store.Errorf(store.Invalid, "%s: This field is required.", key)
	case []any:
		for _, e := range x {
			if _, err := refs(key, e); err != nil {
				return nil, err
			}
		}
		return x, nil
	case int64, string:
		return []any{x}, nil
	}
	return nil, store.Errorf(store.Invalid, "%s: Expected an id, a name or a list of them.", key)
}

// labels reads one permission label or a list of them.
func labels(v any) ([]string, error) {
	items, err := refs("permissions", v)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, e := range items {
		s, ok := e.(string)
		if !ok || !store.KnownPermission(s) {
			return nil, store.Errorf(store.Invalid, "Unknown permission: %v", e)
		}
		out[i] = s
	}
	return out, nil
}

// form reads a Kiwi "values" dict the way Kiwi's Django forms do: each
// reader records its field's errors, and err reports them all at once in
// Kiwi's wording, the repr of a list of (field, [messages]):
// [('name', ['This field is required.']), ('version', ['This field is required.'])].
// Unknown keys are ignored, as in Kiwi.
type form struct {
	v    values
	errs []fieldErrors
}

type fieldErrors struct {
	field string
	msgs  []string
}

func newForm(v map[string]any) *form { return &form{v: v} }

// fail records an error of a field.
func (f *form) fail(field, msg string) {
	for i := range f.errs {
		if f.errs[i].field == field {
			f.errs[i].msgs = append(f.errs[i].msgs, msg)
			return
		}
	}
	f.errs = append(f.errs, fieldErrors{field, []string{msg}})
}

// has tells whether the key is present (even as null).
func (f *form) has(key string) bool {
	_, ok := f.v[key]
	return ok
}

const msgRequired = "This field is required."

// text reads a string field of at most maxLen characters (0: no limit).
// Absent, null and "" are "not given"; required fields then fail.
func (f *form) text(key string, required bool, maxLen int) string {
	s, _, err := f.v.str(key)
	switch {
	case err != nil:
		f.fail(key, "Enter a valid value.")
	case s == "" && required:
		f.fail(key, msgRequired)
	case maxLen > 0 && utf8.RuneCountInString(s) > maxLen:
		f.fail(key, fmt.Sprintf("Ensure this value has at most %d characters (it has %d).", maxLen, utf8.RuneCountInString(s)))
	}
	return s
}

// id reads a foreign key: an int or a numeric string. Absent, null and ""
// give nil; a required field then fails. Whether the id exists is the
// database's to say (Select a valid choice...).
func (f *form) id(key string, required bool) *int64 {
	switch x := f.v[key].(type) {
	case nil:
	case int64:
		return &x
	case float64:
		if n := int64(x); float64(n) == x {
			return &n
		}
		f.fail(key, msgChoice)
		return nil
	case string:
		if strings.TrimSpace(x) == "" {
			break
		}
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return &n
		}
		f.fail(key, msgChoice)
		return nil
	default:
		f.fail(key, msgChoice)
		return nil
	}
	if required {
		f.fail(key, msgRequired)
	}
	return nil
}

const msgChoice = "Select a valid choice. That choice is not one of the available choices."

// boolean reads a checkbox: absent means def (Kiwi: false, unless the
// method injects a default); "false", "0" and 0 are false.
func (f *form) boolean(key string, def bool) bool {
	b, ok, err := f.v.boolean(key)
	if err != nil {
		f.fail(key, "Enter a valid boolean.")
	}
	if !ok {
		return def
	}
	return b
}

// integer reads a whole number field; absent gives def.
func (f *form) integer(key string, def int64) int64 {
	switch x := f.v[key].(type) {
	case nil:
		return def
	case int64:
		return x
	case float64:
		if n := int64(x); float64(n) == x {
			return n
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n
		}
	}
	f.fail(key, "Enter a whole number.")
	return def
}

// err returns the recorded errors as one Invalid store error, or nil.
func (f *form) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("[")
	for i, fe := range f.errs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + pyRepr(fe.field) + ", [")
		for j, m := range fe.msgs {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyRepr(m))
		}
		b.WriteString("])")
	}
	b.WriteString("]")
	return store.Errorf(store.Invalid, "%s", b.String())
}

// pyRepr quotes a string as Python's repr does for printable text.
func pyRepr(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	s = strings.ReplaceAll(s, `\`, `\\`)
	if q == "'" {
		s = strings.ReplaceAll(s, "'", `\'`)
	}
	return q + s + q
}

// requiredName reads the one field of a values dict that names a
// classification or a tag: required, at most maxLen characters.
func requiredName(values map[string]any, maxLen int) (string, error) {
	f := newForm(values)
	name := f.text("name", true, maxLen)
	return name, f.err()
}

// checkProperty checks the name and value of a property (environment,
// case, run or execution): at most 255 characters each.
func checkProperty(name, value string) error {
	f := newForm(map[string]any{"name": name, "value": value})
	f.text("name", false, 255)
	f.text("value", false, 255)
	return f.err()
}

// patchText reads a required text field of a partial update: nil when the
// key is absent, "This field is required." when it is null or empty.
func patchText(f *form, key string, maxLen int) *string {
	if !f.has(key) {
		return nil
	}
	s := f.text(key, true, maxLen)
	return &s
}

// patchID reads a required foreign key of a partial update: nil when the
// key is absent, "This field is required." when it is null or empty.
func patchID(f *form, key string) *int64 {
	if !f.has(key) {
		return nil
	}
	return f.id(key, true)
}

// userRefs sets *refs[i] to the user reference of the user field keys[i]
// when the form has it; the store resolves them.
func (f *form) userRefs(keys []string, refs ...**store.UserRef) error {
	for i, k := range keys {
		if f.has(k) {
			ref, err := userRef(f.v[k])
			if err != nil {
				return err
			}
			*refs[i] = &ref
		}
	}
	return nil
}

// webURL reads a URL with scheme http, https, ftp or ftps of at most
// maxLen characters; "" when not given.
func (f *form) webURL(key string, required bool, maxLen int) string {
	s := f.text(key, required, maxLen)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || !strings.Contains(" http https ftp ftps ", " "+strings.ToLower(u.Scheme)+" ") {
		f.fail(key, "Enter a valid URL.")
	}
	return s
}

// link reads an optional URL column: nil when absent, null or "".
func (f *form) link(key string) *string {
	if s := f.webURL(key, false, 1024); s != "" {
		return &s
	}
	return nil
}

const msgDate = "Invalid date format. Expected YYYY-MM-DD [HH:MM:SS]."

// wireTime reads an optional datetime parameter as Kiwi's forms do: an
// XML-RPC dateTime or an ISO-8601 string. nil and "" give nil; anything
// else is Kiwi's date error.
func wireTime(v any) (*time.Time, error) {
	if s, isText := v.(string); v == nil || isText && strings.TrimSpace(s) == "" {
		return nil, nil
	}
	t, ok := store.ParseDateTime(v)
	if !ok {
		return nil, store.Errorf(store.Invalid, msgDate)
	}
	return &t, nil
}

// dateTime reads an optional datetime field of a form.
func (f *form) dateTime(key string) *time.Time {
	t, err := wireTime(f.v[key])
	if err != nil {
		f.fail(key, msgDate)
	}
	return t
}

// newComment reads the parameters every X.add_comment takes.
func newComment(text string, userID *int64, submitDate any) (store.NewComment, error) {
	f := newForm(map[string]any{"comment": text})
	f.text("comment", true, 3000)
	if err := f.err(); err != nil {
		return store.NewComment{}, err
	}
	when, err := wireTime(submitDate)
	return store.NewComment{Text: text, UserID: userID, SubmitDate: when}, err
}

// userRef reads a user field (an id, a username or an email) as given;
// the store resolves it.
func userRef(v any) (store.UserRef, error) {
	switch v.(type) {
	case nil, int64, string:
		return store.UserRef{Ref: v}, nil
	case float64:
		return store.UserRef{Ref: fmt.Sprint(v)}, nil
	}
	return store.UserRef{}, store.Errorf(store.Invalid, "Unknown user: %q", fmt.Sprint(v))
}

// truthy tells whether a value is true in Python's sense.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	case bool:
		return x
	}
	return true
}
