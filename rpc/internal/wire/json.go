package wire

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// JSONContentTypes are the Content-Types of JSON-RPC 2.0 requests.
var JSONContentTypes = []string{"application/json", "application/json-rpc", "application/jsonrequest"}

// JSONRequest is one JSON-RPC 2.0 request object: its id (nil for a
// notification) and either the call it asks for or the fault it already
// earned.
type JSONRequest struct {
	ID     json.RawMessage
	Name   string
	Params []any          // positional parameters
	Named  map[string]any // keyword parameters
	Fault  *Fault
}

// WriteJSONResponse writes one response object, keys in Kiwi's order.
func WriteJSONResponse(enc *Encoder, id json.RawMessage, reply any, f *Fault) {
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
	enc.Encode(reply)
	b.WriteByte('}')
}

// ParseJSONCall reads a request body: one request object or a batch of at
// most maxBatch. A fault for the whole body (unparsable, empty or too
// large a batch) comes back alone;
// faults of single requests travel in their JSONRequest.
func ParseJSONCall(body []byte, maxBatch int) (calls []*JSONRequest, batch bool, f *Fault) {
	if !utf8.Valid(body) {
		return nil, false, ParseError("the request is not valid UTF-8")
	}
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, false, ParseError("%s", jsonErrorText(err))
		}
		if len(items) == 0 {
			return nil, false, InvalidRequest("empty batch")
		}
		if len(items) > maxBatch {
			return nil, false, TooManyCalls("a batch", maxBatch, len(items))
		}
		for _, item := range items {
			calls = append(calls, parseJSONRequest(item))
		}
		return calls, true, nil
	}
	if !json.Valid(body) {
		var v any
		return nil, false, ParseError("%s", jsonErrorText(json.Unmarshal(body, &v)))
	}
	return []*JSONRequest{parseJSONRequest(body)}, false, nil
}

// parseJSONRequest reads one (syntactically valid) request object.
func parseJSONRequest(raw json.RawMessage) *JSONRequest {
	var req struct {
		JSONRPC json.RawMessage `json:"jsonrpc"`
		Method  json.RawMessage `json:"method"`
		Params  json.RawMessage `json:"params"`
		ID      json.RawMessage `json:"id"`
	}
	jc := &JSONRequest{}
	if err := json.Unmarshal(raw, &req); err != nil {
		jc.ID = json.RawMessage("null")
		jc.Fault = InvalidRequest("a request must be a JSON object")
		return jc
	}
	jc.ID = req.ID
	if req.ID != nil && !validID(req.ID) {
		jc.ID = json.RawMessage("null")
		jc.Fault = InvalidRequest(`"id" must be a string, a number or null`)
		return jc
	}
	var version string
	switch {
	case req.JSONRPC == nil:
		jc.Fault = InvalidRequest("jsonrpc required")
	case json.Unmarshal(req.JSONRPC, &version) != nil || version != "2.0":
		jc.Fault = InvalidRequest(`Parameter "jsonrpc" has an unsupported value %s. It must be set to "2.0"`, Truncate(string(req.JSONRPC), 40))
	case json.Unmarshal(req.Method, &jc.Name) != nil || jc.Name == "":
		jc.Fault = InvalidRequest("method must be a non-empty string")
	default:
		jc.Fault = decodeJSONParams(req.Params, jc)
	}
	if jc.Fault != nil && jc.ID == nil {
		// An unusable notification still deserves an answer.
		jc.ID = json.RawMessage("null")
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
func decodeJSONParams(raw json.RawMessage, c *JSONRequest) *Fault {
	if raw == nil || string(raw) == "null" {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return ParseError("%s", jsonErrorText(err))
	}
	w, err := wireValue(v, 0)
	if err != nil {
		return err
	}
	switch p := w.(type) {
	case []any:
		c.Params = p
	case map[string]any:
		c.Named = p
	default:
		return InvalidRequest("params must be an array or an object")
	}
	return nil
}

// wireValue converts decoded JSON into wire values: numbers become int64
// when they are whole and fit, float64 otherwise.
func wireValue(v any, depth int) (any, *Fault) {
	if depth > maxDepth {
		return nil, ParseError("values nested too deeply")
	}
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, ParseError("number %s is out of range", Truncate(x.String(), 40))
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
