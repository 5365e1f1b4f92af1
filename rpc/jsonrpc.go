package rpc

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

var jsonContentTypes = []string{"application/json", "application/json-rpc", "application/jsonrequest"}

// jsonProtocol is JSON-RPC 2.0: positional or keyword params, batches,
// notifications (answered 204 when nothing else is due).
type jsonProtocol struct{}

func (jsonProtocol) contentTypes() []string { return jsonContentTypes }

// jsonCall is one request object: its id (nil for a notification) and
// either a call to run or the fault it already earned.
type jsonCall struct {
	id    json.RawMessage
	call  call
	fault *Fault
}

func (jsonProtocol) serve(s *Server, w http.ResponseWriter, r *http.Request, body []byte) {
	calls, batch, fault := parseJSONCall(body, s.cfg.MaxBatch)
	out := stateOf(r).reply
	enc := encoder{buf: out, escape: s.cfg.EscapeHTML}
	if fault != nil {
		writeJSONResponse(&enc, nil, nil, fault)
		out.send(w, "application/json")
		return
	}
	n := 0
	for i, jc := range calls {
		if jc.fault == nil {
			s.dispatch(r, &jc.call)
			if f, ok := jc.call.err.(*Fault); ok {
				jc.fault = f
			}
		}
		if jc.id == nil {
			continue
		}
		switch {
		case n > 0:
			out.WriteByte(',')
		case batch:
			out.WriteByte('[')
		}
		n++
		writeJSONResponse(&enc, jc.id, jc.call.reply, jc.fault)
		jc.call.reply = nil // encoded: the rest of the batch need not keep it
		if f := out.err(); f != nil {
			// One short fault in place of the whole body.
			id := jc.id
			if batch {
				id, f = nil, atCall(f, i, len(calls))
			}
			out.reset()
			writeJSONResponse(&enc, id, nil, f)
			out.send(w, "application/json")
			return
		}
	}
	switch {
	case n == 0:
		w.WriteHeader(http.StatusNoContent)
		return
	case batch:
		out.WriteByte(']')
	}
	if f := out.err(); f != nil {
		out.reset()
		writeJSONResponse(&enc, nil, nil, f)
	}
	out.send(w, "application/json")
}

// writeJSONResponse writes one response object, keys in Kiwi's order.
func writeJSONResponse(enc *encoder, id json.RawMessage, reply any, f *Fault) {
	b := enc.buf
	b.WriteString(`{"id":`)
	if id == nil {
		b.WriteString("null")
	} else {
		b.Write(id)
	}
	b.WriteString(`,"jsonrpc":"2.0",`)
	if f != nil {
		b.WriteString(`"error":{"code":`)
		enc.int(int64(f.Code))
		b.WriteString(`,"message":`)
		writeJSONString(b, f.Message)
		b.WriteString("}}")
		return
	}
	b.WriteString(`"result":`)
	enc.encode(reply)
	b.WriteByte('}')
}

// parseJSONCall reads a request body: one request object or a batch of at
// most maxBatch. A fault for the whole body (unparsable, empty or too
// large a batch) comes back alone;
// faults of single requests travel in their jsonCall.
func parseJSONCall(body []byte, maxBatch int) (calls []*jsonCall, batch bool, f *Fault) {
	if !utf8.Valid(body) {
		return nil, false, parseError("the request is not valid UTF-8")
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, false, parseError("%s", jsonErrorText(err))
		}
		if len(items) == 0 {
			return nil, false, invalidRequest("empty batch")
		}
		if len(items) > maxBatch {
			return nil, false, tooManyCalls("a batch", maxBatch, len(items))
		}
		for _, item := range items {
			calls = append(calls, parseJSONRequest(item))
		}
		return calls, true, nil
	}
	if !json.Valid(body) {
		var v any
		return nil, false, parseError("%s", jsonErrorText(json.Unmarshal(body, &v)))
	}
	return []*jsonCall{parseJSONRequest(body)}, false, nil
}

// parseJSONRequest reads one (syntactically valid) request object.
func parseJSONRequest(raw json.RawMessage) *jsonCall {
	var req struct {
		JSONRPC json.RawMessage `json:"jsonrpc"`
		Method  json.RawMessage `json:"method"`
		Params  json.RawMessage `json:"params"`
		ID      json.RawMessage `json:"id"`
	}
	jc := &jsonCall{}
	if err := json.Unmarshal(raw, &req); err != nil {
		jc.id = json.RawMessage("null")
		jc.fault = invalidRequest("a request must be a JSON object")
		return jc
	}
	jc.id = req.ID
	if req.ID != nil && !validID(req.ID) {
		jc.id = json.RawMessage("null")
		jc.fault = invalidRequest(`"id" must be a string, a number or null`)
		return jc
	}
	var version string
	switch {
	case req.JSONRPC == nil:
		jc.fault = invalidRequest("jsonrpc required")
	case json.Unmarshal(req.JSONRPC, &version) != nil || version != "2.0":
		jc.fault = invalidRequest(`Parameter "jsonrpc" has an unsupported value %s. It must be set to "2.0"`, truncate(string(req.JSONRPC), 40))
	case json.Unmarshal(req.Method, &jc.call.name) != nil || jc.call.name == "":
		jc.fault = invalidRequest("method must be a non-empty string")
	default:
		jc.fault = decodeJSONParams(req.Params, &jc.call)
	}
	if jc.fault != nil && jc.id == nil {
		// An unusable notification still deserves an answer.
		jc.id = json.RawMessage("null")
	}
	return jc
}

func validID(id json.RawMessage) bool {
	switch id[0] {
	case '"', 'n', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return true
	}
	return false
}

// decodeJSONParams turns "params" into wire values: an array gives
// positional parameters, an object keyword parameters.
func decodeJSONParams(raw json.RawMessage, c *call) *Fault {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return parseError("%s", jsonErrorText(err))
	}
	w, err := wireValue(v, 0)
	if err != nil {
		return err
	}
	switch p := w.(type) {
	case []any:
		c.params = p
	case map[string]any:
		c.named = p
	default:
		return invalidRequest("params must be an array or an object")
	}
	return nil
}

// wireValue converts decoded JSON into wire values: numbers become int64
// when they are whole and fit, float64 otherwise.
func wireValue(v any, depth int) (any, *Fault) {
	if depth > maxDepth {
		return nil, parseError("values nested too deeply")
	}
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, parseError("number %s is out of range", truncate(x.String(), 40))
		}
		return f, nil
	case []any:
		for i, e := range x {
			w, err := wireValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[i] = w
		}
	case map[string]any:
		for k, e := range x {
			w, err := wireValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			x[k] = w
		}
	}
	return v, nil
}

// jsonErrorText words a decoding error without Go type names.
func jsonErrorText(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return "invalid JSON at offset " + strconv.FormatInt(e.Offset, 10) + ": " + e.Error()
	case *json.UnmarshalTypeError:
		return "unexpected JSON " + e.Value + " at offset " + strconv.FormatInt(e.Offset, 10)
	}
	return "invalid JSON"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
