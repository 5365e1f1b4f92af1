package wire

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Wire values, as both decoders produce them: nil, bool, int64, float64,
// string, time.Time, []byte, []any and map[string]any. Bind copies them
// into a handler's args struct, whose exported fields are the method's
// positional parameters in order; `json:"name"` names a parameter for
// JSON-RPC keyword calls and `rpc:"optional"` marks a trailing parameter
// that may be left out.

// Shape describes a handler's args struct.
type Shape struct {
	Fields   []Field // the parameters, in order
	required int
}

// Field is one parameter of a handler's args struct.
type Field struct {
	Index    int    // of the struct field
	Name     string // for keyword calls
	WireType string // as XML-RPC introspection names it
	Optional bool
}

var timeType = reflect.TypeOf(time.Time{})

// ShapeOf reads the shape of an args struct type, refusing types Bind
// cannot fill.
func ShapeOf(t reflect.Type) (*Shape, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("args type %s is not a struct", t)
	}
	s := &Shape{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			return nil, fmt.Errorf("field %s has no json name", f.Name)
		}
		opt := f.Tag.Get("rpc") == "optional"
		if !opt && len(s.Fields) > s.required {
			return nil, fmt.Errorf("required field %s after an optional one", f.Name)
		}
		wt, err := wireTypeOf(f.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		s.Fields = append(s.Fields, Field{Index: i, Name: name, WireType: wt, Optional: opt})
		if !opt {
			s.required++
		}
	}
	return s, nil
}

// wireTypeOf names a Go type the way XML-RPC introspection does, and
// refuses types Bind cannot fill.
func wireTypeOf(t reflect.Type) (string, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return "dateTime.iso8601", nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "base64", nil
	}
	switch t.Kind() {
	case reflect.String:
		return "string", nil
	case reflect.Bool:
		return "boolean", nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "int", nil
	case reflect.Float64:
		return "double", nil
	case reflect.Map:
		if t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Interface {
			return "struct", nil
		}
	case reflect.Slice:
		if _, err := wireTypeOf(t.Elem()); err == nil || t.Elem().Kind() == reflect.Interface {
			return "array", nil
		}
	case reflect.Interface:
		return "any", nil
	}
	return "", fmt.Errorf("unsupported parameter type %s", t)
}

// Bind fills args (a pointer to the handler's args struct) from positional
// params or, for JSON-RPC keyword calls, from named.
func (shape *Shape) Bind(args any, params []any, named map[string]any) error {
	dst := reflect.ValueOf(args).Elem()
	if named != nil {
		return bindNamed(shape, dst, named)
	}
	if len(params) < shape.required || len(params) > len(shape.Fields) {
		return InvalidParams("expected %s, got %d", countText(shape), len(params))
	}
	for i, v := range params {
		f := shape.Fields[i]
		if err := assign(dst.Field(f.Index), v); err != nil {
			return InvalidParams("%s: %s", f.Name, err)
		}
	}
	return nil
}

func bindNamed(shape *Shape, dst reflect.Value, named map[string]any) error {
	seen := 0
	for _, f := range shape.Fields {
		v, ok := named[f.Name]
		if !ok {
			if !f.Optional {
				return InvalidParams("missing required argument %q", f.Name)
			}
			continue
		}
		seen++
		if err := assign(dst.Field(f.Index), v); err != nil {
			return InvalidParams("%s: %s", f.Name, err)
		}
	}
	if seen != len(named) {
		for k := range named {
			if !shape.has(k) {
				return InvalidParams("unexpected keyword argument %q", k)
			}
		}
	}
	return nil
}

func (s *Shape) has(name string) bool {
	for _, f := range s.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func countText(s *Shape) string {
	n := len(s.Fields)
	switch {
	case s.required == n && n == 1:
		return "1 parameter"
	case s.required == n:
		return strconv.Itoa(n) + " parameters"
	}
	return fmt.Sprintf("%d to %d parameters", s.required, n)
}

// assign stores wire value v in dst. nil leaves dst at its zero value, so
// a nil pointer means "not given". Integers also accept numeric strings,
// as Kiwi's forms do: CI plugins send ids from environment variables.
func assign(dst reflect.Value, v any) error {
	if v == nil {
		return nil
	}
	t := dst.Type()
	if t.Kind() == reflect.Pointer {
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), v); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	}
	if t.Kind() == reflect.Interface {
		dst.Set(reflect.ValueOf(v))
		return nil
	}
	switch x := v.(type) {
	case string:
		switch t.Kind() {
		case reflect.String:
			dst.SetString(x)
			return nil
		case reflect.Int, reflect.Int32, reflect.Int64:
			n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			if err == nil && !dst.OverflowInt(n) {
				dst.SetInt(n)
				return nil
			}
		}
	case int64:
		switch t.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			if !dst.OverflowInt(x) {
				dst.SetInt(x)
				return nil
			}
			return fmt.Errorf("%d is out of range", x)
		case reflect.Float64:
			dst.SetFloat(float64(x))
			return nil
		}
	case bool:
		if t.Kind() == reflect.Bool {
			dst.SetBool(x)
			return nil
		}
	case float64:
		if t.Kind() == reflect.Float64 {
			dst.SetFloat(x)
			return nil
		}
	case time.Time:
		if t == timeType {
			dst.Set(reflect.ValueOf(x))
			return nil
		}
	case []byte:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			dst.SetBytes(x)
			return nil
		}
	case map[string]any:
		if t.Kind() == reflect.Map {
			dst.Set(reflect.ValueOf(x))
			return nil
		}
	case []any:
		if t.Kind() == reflect.Slice {
			s := reflect.MakeSlice(t, len(x), len(x))
			for i, e := range x {
				if err := assign(s.Index(i), e); err != nil {
					return fmt.Errorf("item %d: %w", i, err)
				}
			}
			dst.Set(s)
			return nil
		}
	}
	return fmt.Errorf("expected %s, got %s", mustWireType(t), Describe(v))
}

func mustWireType(t reflect.Type) string {
	s, _ := wireTypeOf(t)
	if s == "int" {
		return "an integer"
	}
	return "a " + s
}

// Describe names a wire value for an error message without echoing long
// or secret-looking content.
func Describe(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 40 {
			return "a string"
		}
		return strconv.Quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return "a double"
	case time.Time:
		return "a dateTime"
	case []byte:
		return "base64 data"
	case map[string]any:
		return "a struct"
	case []any:
		return "an array"
	}
	return "an unsupported value"
}
