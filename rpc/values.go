package rpc

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tcms/tcms/store"
)

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
