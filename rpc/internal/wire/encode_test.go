package wire

import (
	"strings"
	"testing"
	"time"
)

func TestEncodeValues(t *testing.T) {
	type wire struct {
		ID     int64      `json:"id"`
		Name   string     `json:"product__name"`
		When   time.Time  `json:"when"`
		Nil    *time.Time `json:"stop"`
		Big    int64      `json:"big"`
		Ratio  float64    `json:"ratio"`
		OK     bool       `json:"ok"`
		Hidden string     `json:"-"`
	}
	v := wire{ID: 1, Name: `<a & 'b'>`, When: time.Date(2026, 1, 6, 20, 30, 0, 123456000, time.UTC), Big: 1 << 40, Ratio: 5400}
	cases := []struct {
		xml, escape bool
		want        string
	}{
		{false, false, `{"id":1,"product__name":"<a & 'b'>","when":"2026-01-06T20:30:00.123","stop":null,"big":1099511627776,"ratio":5400.0,"ok":false}`},
		{false, true, `{"id":1,"product__name":"&lt;a &amp; &#x27;b&#x27;&gt;",`},
		{true, false, `<value><struct><member><name>id</name><value><int>1</int></value></member><member><name>product__name</name><value><string>&lt;a &amp; &#39;b&#39;&gt;</string></value></member><member><name>when</name><value><dateTime.iso8601>20260106T20:30:00</dateTime.iso8601></value></member><member><name>stop</name><value><nil/></value></member><member><name>big</name><value><i8>1099511627776</i8></value></member><member><name>ratio</name><value><double>5400.0</double></value></member><member><name>ok</name><value><boolean>0</boolean></value></member></struct></value>`},
	}
	for _, c := range cases {
		b := newTestReply(1 << 20)
		NewEncoder(b, c.xml, c.escape).Encode(v)
		if !strings.HasPrefix(b.String(), c.want) {
			t.Errorf("xml=%v escape=%v\nwant %s\n got %s", c.xml, c.escape, c.want, b.String())
		}
	}
}

func TestEncodeJSONStrings(t *testing.T) {
	b := newTestReply(1 << 20)
	NewEncoder(b, false, false).Encode(map[string]any{"b": "q\"\\\n\x01\u2028é\xff", "a": []any{nil, int64(1)}})
	want := `{"a":[null,1],"b":"q\"\\\n\u0001\u2028é\ufffd"}`
	if b.String() != want {
		t.Fatalf("want %s\n got %s", want, b.String())
	}
}
