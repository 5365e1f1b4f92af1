package rpc

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tcms/tcms/store"
)

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
