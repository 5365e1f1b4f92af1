package rpc

import (
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

const msgDate = "Invalid date format. Expected YYYY-MM-DD [HH:MM:SS]."

// wireTime reads an optional datetime parameter as Kiwi's forms do
// (contract 1.10): an XML-RPC dateTime or an ISO-8601 string. nil and ""
// give nil; anything else is Kiwi's date error.
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
