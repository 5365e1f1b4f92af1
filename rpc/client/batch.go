package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// BatchCall is one call of a Batch: its result is decoded into Reply (a
// pointer, or nil to drop it) as Call decodes it.
type BatchCall struct {
	Method string
	Params []any
	Reply  any
}

// Batch makes several calls in one JSON-RPC batch request, one HTTP round
// trip; the server runs them one after the other, each on its own. errs
// holds each call's outcome (nil, a *Fault, or a decoding error); err is
// for the request as a whole (transport, HTTP status, an unreadable
// reply). XML-RPC has no batches.
func (c *Client) Batch(ctx context.Context, calls []BatchCall) (errs []error, err error) {
	if c.proto != JSON {
		return nil, errors.New("batches need JSON-RPC")
	}
	if len(calls) == 0 {
		return nil, nil
	}
	reqs := make([]jsonRequest, len(calls))
	index := make(map[int64]int, len(calls))
	names := make([]string, len(calls))
	for i, call := range calls {
		params := call.Params
		if params == nil {
			params = []any{}
		}
		reqs[i] = jsonRequest{"2.0", call.Method, params, c.id.Add(1)}
		index[reqs[i].ID] = i
		names[i] = call.Method
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return nil, err
	}
	body, err = c.post(ctx, strings.Join(names, "+"), body, "application/json")
	if err != nil {
		return nil, err
	}
	var resps []jsonResponse
	if err := json.Unmarshal(body, &resps); err != nil {
		// A fault for the whole batch comes back as one object.
		var one jsonResponse
		if json.Unmarshal(body, &one) == nil && one.Error != nil {
			return nil, one.Error
		}
		return nil, fmt.Errorf("reading the JSON-RPC batch response: %w", err)
	}
	errs = make([]error, len(calls))
	answered := make([]bool, len(calls))
	for _, r := range resps {
		i, ok := index[r.ID]
		if !ok || answered[i] {
			return nil, fmt.Errorf("JSON-RPC batch response: unexpected id %d", r.ID)
		}
		answered[i] = true
		switch {
		case r.Error != nil:
			errs[i] = r.Error
		case calls[i].Reply != nil:
			errs[i] = json.Unmarshal(r.Result, calls[i].Reply)
		}
	}
	for i, ok := range answered {
		if !ok {
			return nil, fmt.Errorf("JSON-RPC batch response: no answer to %s", calls[i].Method)
		}
	}
	return errs, nil
}
