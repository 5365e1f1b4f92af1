package rpc

import (
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

// dateLayouts are the text forms a datetime parameter accepts, as Kiwi's
// forms parse them; times without a zone are UTC.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"}

// wireTime reads an optional datetime parameter: an XML-RPC dateTime or a
// string in one of dateLayouts. nil and "" give nil.
func wireTime(v any) (*time.Time, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		return &x, nil
	case string:
		x = strings.TrimSpace(x)
		if x == "" {
			return nil, nil
		}
		for _, l := range dateLayouts {
			if t, err := time.Parse(l, x); err == nil {
				return &t, nil
			}
		}
	}
	return nil, store.Errorf(store.Invalid, "Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].")
}
