package rpc

import (
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// trackerBed is a bugBed on the public domain tcms.example.com with the
// built-in tracker configured at https://tcms.example.com and an external
// one at https://github.com/org/repo.
type trackerBed struct {
	*bugBed
	kiwi, github int64
}

const kiwiSite = "https://tcms.example.com"

func mustTrackerBed(t *testing.T) *trackerBed {
	t.Helper()
	b := &trackerBed{bugBed: mustBugBed(t)}
	if err := b.ts.Store.SetDomain(t.Context(), "tcms.example.com"); err != nil {
		t.Fatal(err)
	}
	var tr store.BugTracker
	result(t, b.admin.json("BugTracker.create", map[string]any{"name": "Kiwi", "tracker_type": store.KiwiTrackerType, "base_url": kiwiSite}), &tr)
	b.kiwi = tr.ID
	result(t, b.admin.json("BugTracker.create", map[string]any{"name": "GitHub", "tracker_type": "tcms.issuetracker.types.GitHub",
		"base_url": "https://github.com/org/repo", "api_url": "https://api.github.com", "api_username": "bot", "api_password": "s3cret"}), &tr)
	b.github = tr.ID
	return b
}

// bugExecutions lists the "bug:execution" pairs, in order.
func (b *trackerBed) bugExecutions(t *testing.T) string {
	t.Helper()
	return sqlText(t, b.conn, "SELECT coalesce(string_agg(bug_id || ':' || execution_id, ' ' ORDER BY bug_id, execution_id), '') FROM bug_executions")
}

// failed sets the execution's status to FAILED over JSON-RPC, as tester.
func (b *trackerBed) failed(t *testing.T, execution int64) {
	t.Helper()
	var status int64
	if err := b.conn.QueryRow(t.Context(), "SELECT id FROM test_execution_statuses WHERE name = 'FAILED'").Scan(&status); err != nil {
		t.Fatal(err)
	}
	result(t, b.tester.json("TestExecution.update", execution, map[string]any{"status": status}), new(any))
}

func TestBugAddLinkToTracker(t *testing.T) {
	b := mustTrackerBed(t)
	other := b.mustExecution(t)
	link := func(execution int64, url string) {
		t.Helper()
		var l store.Link
		b.tester.viaXML(t, &l, "TestExecution.add_link", map[string]any{"execution": execution, "url": url})
		if l.URL != url {
			t.Fatalf("add_link %s: %+v", url, l)
		}
	}
	// A link under the built-in tracker links the execution to the bug its
	// trailing number names, whatever is_defect and update_tracker say.
	link(b.execID, kiwiSite+"/bugs/"+itoa(b.bug)+"/")
	result(t, b.tester.json("TestExecution.add_link", map[string]any{"execution": other, "url": kiwiSite + "/bugs/" + itoa(b.bug), "is_defect": true}, true), new(any))
	want := itoa(b.bug) + ":" + itoa(b.execID) + " " + itoa(b.bug) + ":" + itoa(other)
	if s := b.bugExecutions(t); s != want {
		t.Fatalf("bug executions %q, want %q", s, want)
	}
	link(b.execID, kiwiSite+"/bugs/"+itoa(b.bug)+"/") // twice changes nothing
	// Near misses, a missing bug and external trackers only store the link.
	for _, url := range []string{
		"https://tcms.example.com.evil.example/bugs/" + itoa(b.bug) + "/",
		"https://tcms.example.community/bugs/" + itoa(b.bug) + "/",
		"http://tcms.example.com/bugs/" + itoa(b.bug) + "/",
		"https://tcms.example.com:8443/bugs/" + itoa(b.bug) + "/",
		"https://tcms.example.com@evil.example/bugs/" + itoa(b.bug) + "/",
		kiwiSite + "/bugs/99999/",
		kiwiSite + "/bugs/",
		"https://github.com/org/repo/issues/" + itoa(b.bug),
	} {
		result(t, b.tester.json("TestExecution.add_link", map[string]any{"execution": b.mustExecution(t), "url": url, "is_defect": true}, true), new(any))
	}
	if s := b.bugExecutions(t); s != want {
		t.Fatalf("near misses linked: %q, want %q", s, want)
	}
	if n := count(t, b.conn, "SELECT count(*) FROM links"); n != 11 {
		t.Fatalf("links: %d", n)
	}
}

func TestBugDetails(t *testing.T) {
	b := mustTrackerBed(t)
	closed := b.mustBug(t, "closed one", "status", false)
	result(t, b.tester.json("Bug.add_comment", b.bug, "first **comment**"), new(any))
	result(t, b.tester.json("Bug.add_comment", b.bug, "second"), new(any))
	nobody := b.ts.nobody(t) // login is enough

	var d map[string]any
	url := kiwiSite + "/bugs/" + itoa(b.bug) + "/"
	r := nobody.json("Bug.details", url)
	result(t, r, &d)
	if keys := keysOf(t, r.Result); keys != "description,id,status,title,url" {
		t.Fatalf("details keys %s", keys)
	}
	if d["id"] != float64(b.bug) || d["title"] != "first" || d["status"] != "Open" || d["url"] != url ||
		d["description"] != renderMarkdown("first **comment**") || !strings.Contains(d["description"].(string), "<strong>comment</strong>") {
		t.Fatalf("details: %s", r.Result)
	}
	var x map[string]any
	nobody.viaXML(t, &x, "Bug.details", url)
	if x["id"] != float64(b.bug) || x["description"] != d["description"] || x["url"] != url {
		t.Fatalf("details over XML-RPC: %v", x)
	}
	d = nil
	nobody.viaJSON(t, &d, "Bug.details", kiwiSite+"/bugs/"+itoa(closed))
	if d["id"] != float64(closed) || d["status"] != "Closed" || d["description"] != "" || d["title"] != "closed one" {
		t.Fatalf("details of a closed bug without comments: %v", d)
	}
	for _, other := range []string{
		kiwiSite + "/bugs/99999/",              // no such bug
		kiwiSite + "/bugs/",                    // no id
		"https://github.com/org/repo/issues/1", // an external tracker: no outbound call
		"https://tcms.example.com.evil.example/bugs/" + itoa(b.bug) + "/",
		"https://unknown.example/1",
		"not a url",
	} {
		r := nobody.json("Bug.details", other)
		result(t, r, &d)
		if string(r.Result) != "{}" {
			t.Fatalf("details(%s): %s", other, r.Result)
		}
	}
	token := b.ts.login("nobody", "nobody-pass-1")
	fault, raw := b.ts.xmlFault(`<?xml version="1.0"?><methodCall><methodName>Bug.details</methodName><params>
		<param><value><string>https://unknown.example/1</string></value></param></params></methodCall>`, "Authorization", "Bearer "+token)
	if fault != nil || !strings.Contains(string(raw), "<struct></struct>") {
		t.Fatalf("details over XML-RPC: %v %s", fault, raw)
	}
	wantFault(t, b.ts.jsonCall("Bug.details", []any{url}), CodeAuth, `Authentication failed when calling "Bug.details": login required`)
	wantFault(t, nobody.json("Bug.details"), CodeInvalidParams, "Invalid parameters")
}

func TestBugReport(t *testing.T) {
	b := mustTrackerBed(t)
	mustExec(t, b.conn, "UPDATE test_cases SET default_tester_id = $1, text = 'Step 1: run it' WHERE id = $2", b.testerID, b.caseID)
	b.failed(t, b.execID)
	// The execution ran on b2, the run on b1: the bug takes the execution's.
	mustExec(t, b.conn, "UPDATE test_executions SET build_id = $1 WHERE id = $2", b.otherBuild, b.execID)
	written := func() string {
		return sqlText(t, b.conn, `SELECT concat_ws(' ', (SELECT count(*) FROM bugs), (SELECT count(*) FROM bug_executions),
			(SELECT count(*) FROM links), (SELECT count(*) FROM comments))`)
	}
	if s := written(); s != "1 0 0 0" {
		t.Fatalf("before: %s", s)
	}

	t.Run("External", func(t *testing.T) {
		var rep store.BugReport
		r := b.tester.json("Bug.report", b.execID, b.github)
		result(t, r, &rep)
		if string(r.Result) != `{"rc":1,"response":"Enable reporting to this Issue Tracker by configuring its base_url!"}` {
			t.Fatalf("report to GitHub: %s", r.Result)
		}
		b.tester.viaXML(t, &rep, "Bug.report", b.execID, 1) // the seeded Bugzilla
		if rep.RC != 1 || written() != "1 0 0 0" {
			t.Fatalf("report to Bugzilla: %+v, wrote %s", rep, written())
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, missingExecution, "Bug.report", 99999, b.kiwi)
		b.tester.fault(t, CodeInternal, "Internal error: BugSystem matching query does not exist.", "Bug.report", b.execID, 99999)
		wantFault(t, b.tester.json("Bug.report", b.execID), CodeInvalidParams, "Invalid parameters")
		if s := written(); s != "1 0 0 0" {
			t.Fatalf("refused reports wrote: %s", s)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		nobody := b.ts.nobody(t)
		nobody.refused(t, "testruns.view_testexecution", "Bug.report", b.execID, b.kiwi)
		if err := b.ts.Store.SetUserPermissions(t.Context(), store.Principal{UserID: b.adminID, IsSuperuser: true}, "nobody", []string{"testruns.view_testexecution"}, true); err != nil {
			t.Fatal(err)
		}
		nobody.refused(t, "linkreference.add_linkreference", "Bug.report", b.execID, b.kiwi)
		if s := written(); s != "1 0 0 0" {
			t.Fatalf("refused reports wrote: %s", s)
		}
	})
	t.Run("OK", func(t *testing.T) {
		var rep store.BugReport
		r := b.admin.json("Bug.report", b.execID, b.kiwi)
		result(t, r, &rep)
		var bug wireBug
		if err := b.conn.QueryRow(t.Context(), `SELECT id, summary, status, reporter_id, assignee_id, product_id, version_id, build_id
			FROM bugs ORDER BY id DESC LIMIT 1`).Scan(&bug.ID, &bug.Summary, &bug.Status, &bug.Reporter, &bug.Assignee, &bug.Product, &bug.Version, &bug.Build); err != nil {
			t.Fatal(err)
		}
		if rep.RC != 0 || rep.Response != kiwiSite+"/bugs/"+itoa(bug.ID)+"/" {
			t.Fatalf("report: %s", r.Result)
		}
		if bug.Summary != "Failed test: a case" || !bug.Status || bug.Reporter != b.adminID || bug.Assignee == nil || *bug.Assignee != b.testerID ||
			bug.Product != b.product || bug.Version != b.version || bug.Build != b.otherBuild {
			t.Fatalf("reported bug: %+v", bug)
		}
		if s := written(); s != "2 1 1 1" {
			t.Fatalf("after report: %s", s)
		}
		var links []store.Link
		b.tester.viaXML(t, &links, "TestExecution.get_links", map[string]any{"execution": b.execID})
		if len(links) != 1 || links[0].URL != rep.Response || !links[0].IsDefect {
			t.Fatalf("links: %+v", links)
		}
		var comments []struct {
			Comment  string `json:"comment"`
			UserName string `json:"user_name"`
		}
		b.tester.viaJSON(t, &comments, "Bug.get_comments", bug.ID)
		if len(comments) != 1 || comments[0].UserName != adminName || !strings.Contains(comments[0].Comment, "test execution "+itoa(b.execID)) ||
			!strings.Contains(comments[0].Comment, "Build: b2") || !strings.Contains(comments[0].Comment, "FAILED") || !strings.Contains(comments[0].Comment, "Step 1: run it") {
			t.Fatalf("comments: %+v", comments)
		}
		// Without a domain set, the request's host names the server.
		if err := b.ts.Store.SetDomain(t.Context(), ""); err != nil {
			t.Fatal(err)
		}
		b.tester.viaXML(t, &rep, "Bug.report", b.execID, b.kiwi)
		if rep.RC != 0 || !strings.HasPrefix(rep.Response, "https://"+strings.TrimPrefix(b.ts.URL, "http://")+"/bugs/") {
			t.Fatalf("report without a domain: %+v", rep)
		}
	})
}

// TestBugReportCIFlow is the flow of a CI job that files a bug for a
// failed test: the execution fails, Bug.report files the bug, and the
// execution, its links and the bug all point at each other.
func TestBugReportCIFlow(t *testing.T) {
	b := mustTrackerBed(t)
	b.failed(t, b.execID)

	var rep store.BugReport
	b.tester.viaXML(t, &rep, "Bug.report", b.execID, b.kiwi)
	if rep.RC != 0 || !strings.HasPrefix(rep.Response, kiwiSite+"/bugs/") {
		t.Fatalf("report: %+v", rep)
	}
	var links []store.Link
	b.tester.viaJSON(t, &links, "TestExecution.get_links", map[string]any{"execution": b.execID, "is_defect": true})
	if len(links) != 1 || links[0].URL != rep.Response {
		t.Fatalf("the execution's links: %+v", links)
	}
	var details map[string]any
	b.tester.viaJSON(t, &details, "Bug.details", rep.Response)
	id := int64(details["id"].(float64))
	var bug wireBug
	b.tester.viaXML(t, &bug, "Bug.get", id)
	if bug.Summary != "Failed test: a case" || len(bug.Executions) != 1 || bug.Executions[0] != b.execID {
		t.Fatalf("the bug: %+v", bug)
	}
	var rows []wireBugRow
	b.tester.viaJSON(t, &rows, "Bug.filter", map[string]any{"executions": b.execID})
	if len(rows) != 1 || rows[0].PK != id {
		t.Fatalf("Bug.filter(executions): %+v", rows)
	}
}
