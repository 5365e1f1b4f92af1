package dispatch

import (
	"net/http"

	"github.com/tcms/tcms/rpc/internal/wire"
)

// xmlProtocol is XML-RPC: one methodCall per request; system.multicall
// carries several.
type xmlProtocol struct{}

func (xmlProtocol) contentTypes() []string { return wire.XMLContentTypes }

func (xmlProtocol) serve(d *Dispatcher, w http.ResponseWriter, r *http.Request, body []byte) {
	out := StateOf(r).reply
	enc := wire.NewEncoder(out, true, d.cfg.EscapeHTML)
	out.WriteString(wire.XMLResultHead)
	c := &call{xml: true}
	var err error
	c.name, c.params, err = wire.ParseXMLCall(body)
	if err == nil {
		d.dispatch(r, c)
		err = c.err
	}
	if err == nil {
		if !c.written {
			enc.Encode(c.reply)
		}
		out.WriteString(wire.XMLResultTail)
		if f := out.Err(); f != nil {
			err = f
		}
	}
	if f, ok := err.(*wire.Fault); ok {
		out.Reset()
		enc.XMLFault(f)
	}
	out.Send(w, "application/xml")
}

// jsonProtocol is JSON-RPC 2.0: positional or keyword params, batches,
// notifications (answered 204 when nothing else is due).
type jsonProtocol struct{}

func (jsonProtocol) contentTypes() []string { return wire.JSONContentTypes }

func (jsonProtocol) serve(d *Dispatcher, w http.ResponseWriter, r *http.Request, body []byte) {
	calls, batch, fault := wire.ParseJSONCall(body, d.cfg.MaxBatch)
	out := StateOf(r).reply
	enc := wire.NewEncoder(out, false, d.cfg.EscapeHTML)
	if fault != nil {
		wire.WriteJSONResponse(enc, nil, nil, fault)
		out.Send(w, "application/json")
		return
	}
	n := 0
	for i, jc := range calls {
		c := call{name: jc.Name, params: jc.Params, named: jc.Named}
		if jc.Fault == nil {
			d.dispatch(r, &c)
			if f, ok := c.err.(*wire.Fault); ok {
				jc.Fault = f
			}
		}
		if jc.ID == nil {
			continue
		}
		switch {
		case n > 0:
			out.WriteByte(',')
		case batch:
			out.WriteByte('[')
		}
		n++
		wire.WriteJSONResponse(enc, jc.ID, c.reply, jc.Fault)
		if f := out.Err(); f != nil {
			// One short fault in place of the whole body.
			id := jc.ID
			if batch {
				id, f = nil, wire.AtCall(f, i, len(calls))
			}
			out.Reset()
			wire.WriteJSONResponse(enc, id, nil, f)
			out.Send(w, "application/json")
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
	if f := out.Err(); f != nil {
		out.Reset()
		wire.WriteJSONResponse(enc, nil, nil, f)
	}
	out.Send(w, "application/json")
}
