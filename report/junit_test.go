package report

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const junit40 = "../rpc/testdata/junit-40.xml"

// pythonResult is a result as rpc/testdata/ci_junit.py, the junit.xml
// plugin's reading of a file, makes it.
type pythonResult struct {
	Summary string  `json:"summary"`
	Status  string  `json:"status"`
	Comment *string `json:"comment"`
	Start   *string `json:"start"`
	Stop    *string `json:"stop"`
}

// TestReadJUnitLikeThePlugin: every result of junit-40.xml and of a file
// with the odd cases reads as the plugin's Python reads it: summary,
// status, comment (ElementTree's serialisation of the failure, with the
// output streams) and times. Only the "Created by" text of passes differs.
// (One known difference is left out: a literal tab or line break inside
// an attribute value, which XML parsers turn into a space and Go's keeps.)
func TestReadJUnitLikeThePlugin(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("python3 is needed to compare with the plugin's reading")
	}
	odd := filepath.Join(t.TempDir(), "odd.xml")
	os.WriteFile(odd, []byte(`<?xml version="1.0"?>
<testsuite name="odd" timestamp="2026-03-01T10:00:00.500000">
  <testcase classname="a.B" name="t1" time="1.25" timestamp="2026-03-02T08:00:00">
    <error message="line one&#10;line &quot;two&quot;&#9;tab" type="E">text &amp; &lt;more&gt; "quoted"<detail kind="x">inner</detail>tail &amp;</error>
    <system-err>only stderr</system-err>
  </testcase>
  <testcase classname="a.B" name="t2"><failure/></testcase>
  <testcase classname="a.B" name="t3"><skipped message=""/><failure message="after the skip"/></testcase>
  <testcase classname="a.B" name="ünïcödé-`+strings.Repeat("x", 300)+`"><properties/><![CDATA[ignored]]></testcase>
</testsuite>`), 0o644)
	for _, file := range []string{junit40, odd} {
		cmd := exec.Command(python, "-c", `import sys, json, datetime
sys.path.insert(0, "../rpc/testdata")
import ci_junit
iso = lambda d: d.isoformat() if d else None
print(json.dumps([dict(summary=r.summary, status=r.status, comment=r.comment, start=iso(r.start), stop=iso(r.stop))
	for r in ci_junit.read_junit(sys.argv[1], datetime.timedelta(0))]))`, file)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		var want []pythonResult
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
		got, err := ReadJUnit([]string{file}, DefaultTemplate)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d results, the plugin reads %d", file, len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if w.Status == "PASSED" && w.Comment != nil && *w.Comment == "Created by kiwitcms-junit.xml-plugin" {
				w.Comment = new(createdBy)
			}
			if g.Summary != w.Summary || g.Status != w.Status || text(g.Comment) != text(w.Comment) ||
				iso(g.Start) != text(w.Start) || iso(g.Stop) != text(w.Stop) {
				t.Errorf("%s #%d:\n got %q %s %q %s %s\nwant %q %s %q %s %s", file, i, g.Summary, g.Status, text(g.Comment), iso(g.Start), iso(g.Stop),
					w.Summary, w.Status, text(w.Comment), text(w.Start), text(w.Stop))
			}
		}
	}
}

func text(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// iso writes a time as Python's isoformat writes a naive datetime.
func iso(t *time.Time) string {
	if t == nil {
		return "<nil>"
	}
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000000")
}

func TestReadJUnitErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"doctype.xml":   `<!DOCTYPE x [<!ENTITY a "aaaa">]><testsuite><testcase name="&a;"/></testsuite>`,
		"broken.xml":    `<testsuite><testcase name="a">`,
		"empty.xml":     ``,
		"badstamp.xml":  `<testsuite timestamp="yesterday"><testcase name="a"/></testsuite>`,
		"deep.xml":      strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100),
		"template.xml":  `<testsuite><testcase name="a"/></testsuite>`,
		"unclosed.xml":  `<testsuite><testcase name="a"/></testsuite>`,
		"two-roots.xml": `<testsuite/><testsuite/>`,
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		template := DefaultTemplate
		switch name {
		case "template.xml":
			template = "${classname}.${nope}"
		case "unclosed.xml":
			template = "${name"
		}
		if _, err := ReadJUnit([]string{p}, template); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReadJUnit([]string{filepath.Join(dir, "missing.xml")}, DefaultTemplate); err == nil {
		t.Error("a missing file: no error")
	}
}

func TestSubstitute(t *testing.T) {
	vars := map[string]string{"classname": "c", "name": "n", "suitename": "s"}
	for tpl, want := range map[string]string{"${classname}.${name}": "c.n", "$suitename/$name!": "s/n!", "$$name": "$name", "x": "x", "${name}_2": "n_2"} {
		if got, err := substitute(tpl, vars); err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", tpl, got, err, want)
		}
	}
}
