package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestBatch(t *testing.T) {
	ctx := context.Background()
	srv := newCanned(t, func(body string) string {
		var reqs []jsonRequest
		if err := json.Unmarshal([]byte(body), &reqs); err != nil || len(reqs) != 3 {
			return `{"jsonrpc":"2.0","error":{"code":-32600,"message":"Invalid request: empty batch"},"id":null}`
		}
		// Answered out of order, the second call failing.
		return fmt.Sprintf(`[{"jsonrpc":"2.0","result":[{"id":9}],"id":%d},{"jsonrpc":"2.0","result":3,"id":%d},`+
			`{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error: no"},"id":%d}]`, reqs[2].ID, reqs[0].ID, reqs[1].ID)
	})
	c := New(srv.URL, JSON, 1)
	c.SetToken("tcms_x")
	var n int
	var rows []struct {
		ID int64 `json:"id"`
	}
	errs, err := c.Batch(ctx, []BatchCall{{"A.count", nil, &n}, {"B.fail", []any{1}, nil}, {"C.filter", []any{map[string]any{}}, &rows}})
	if err != nil || len(errs) != 3 || errs[0] != nil || errs[2] != nil || n != 3 || len(rows) != 1 || rows[0].ID != 9 {
		t.Fatalf("batch: %v %v n=%d rows=%v", err, errs, n, rows)
	}
	var f *Fault
	if !errors.As(errs[1], &f) || f.Code != -32603 || f.Message != "Internal error: no" {
		t.Fatalf("the failed call: %v", errs[1])
	}
	if srv.auth != "Bearer tcms_x" || srv.ctype != "application/json" {
		t.Fatalf("headers %q %q", srv.auth, srv.ctype)
	}
	if _, err := c.Batch(ctx, []BatchCall{{"A.count", nil, nil}}); !errors.As(err, &f) || f.Code != -32600 {
		t.Fatalf("a fault for the whole batch: %v", err)
	}
	if _, err := New(srv.URL, XML, 1).Batch(ctx, []BatchCall{{"A.count", nil, nil}}); err == nil {
		t.Fatal("XML-RPC has no batches")
	}
}
