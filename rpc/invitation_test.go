package rpc

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/kolo/xmlrpc"

	"github.com/tcms/tcms/store"
)

// mailbox records what the server mails, for tests.
type mailbox struct {
	mu   sync.Mutex
	sent []string // "<to> <message>"
	got  chan struct{}
}

func newMailbox() *mailbox { return &mailbox{got: make(chan struct{}, 100)} }

func (m *mailbox) send(to, msg string) error {
	m.mu.Lock()
	m.sent = append(m.sent, to+" "+msg)
	m.mu.Unlock()
	m.got <- struct{}{}
	return nil
}

// wait returns the next mail sent, failing after a few seconds.
func (m *mailbox) wait(t *testing.T) string {
	t.Helper()
	select {
	case <-m.got:
	case <-time.After(5 * time.Second):
		t.Fatal("no mail was sent")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent[len(m.sent)-1]
}

// count returns how many mails were sent.
func (m *mailbox) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sent)
}

// tokenIn returns the secret with the prefix in a mail.
func tokenIn(t *testing.T, mail, prefix string) string {
	t.Helper()
	_, rest, ok := strings.Cut(mail, prefix)
	if !ok || len(rest) < 64 {
		t.Fatalf("no %s token in %q", prefix, mail)
	}
	return prefix + rest[:64]
}

// invited is an invitation as Tenant.invite returns it.
type invited struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

type inviteReply struct {
	Success     []string  `json:"success"`
	Errored     []string  `json:"errored"`
	Invitations []invited `json:"invitations"`
}

// statuses returns "email:status" of tenant a's invitations, by id.
func statuses(t *testing.T, call func(string, ...any) jsonResponse) string {
	t.Helper()
	var rows []map[string]any
	result(t, call("Invitation.filter", map[string]any{}), &rows)
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r["email"], ":", r["status"])
	}
	return strings.Join(out, " ")
}

func TestInvitationLifecycle(t *testing.T) {
	mails := newMailbox()
	b := mustTenantBed(t, func(c *Config) { c.SendMail = mails.send })
	conn := b.mustDB()
	anon := b.at("/t/public", "", "")
	var r inviteReply
	result(t, b.aliceA("Tenant.invite", []any{"pat@example.com", "not an address", "Quinn@Example.com", "pat@example.com"}), &r)
	if strings.Join(r.Success, " ") != "pat@example.com Quinn@Example.com" || strings.Join(r.Errored, " ") != "not an address" || len(r.Invitations) != 2 {
		t.Fatalf("invite: %+v", r)
	}
	pat, quinn := r.Invitations[0], r.Invitations[1]
	if !strings.HasPrefix(pat.Token, store.InvitationPrefix) || pat.Token == quinn.Token {
		t.Fatalf("tokens: %+v", r.Invitations)
	}
	if mail := mails.wait(t); tokenIn(t, mail, store.InvitationPrefix) == "" || !strings.Contains(mail, "Auth.accept_invitation") {
		t.Fatalf("mail: %q", mail)
	}
	var stored int
	conn.QueryRow(t.Context(), "SELECT count(*) FROM invitations WHERE token_hash = sha256(convert_to($1, 'UTF8'))", pat.Token).Scan(&stored)
	if stored != 1 {
		t.Fatal("the token is not stored as its SHA-256")
	}

	t.Run("OKPendingThenAccepted", func(t *testing.T) {
		if got := statuses(t, b.aliceA); got != "pat@example.com:pending Quinn@Example.com:pending" {
			t.Fatalf("statuses %s", got)
		}
		var u store.User
		result(t, anon("Auth.accept_invitation", pat.Token, "pat", "pat-pass-1"), &u)
		if u.Username != "pat" || u.Email != "pat@example.com" || !u.IsActive {
			t.Fatalf("accepted as %+v", u)
		}
		// Pat logs in and works in a, as a Tester there, and nowhere else.
		pats := b.at("/t/a", "pat", "pat-pass-1")
		if n := rowCount(t, pats("Product.filter", map[string]any{})); n != 0 {
			t.Fatalf("%d products", n)
		}
		wantFault(t, b.at("/t/b", "pat", "pat-pass-1")("Product.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "Product.filter": user pat is not authorised for tenant b`)
		if got := statuses(t, b.aliceA); got != "pat@example.com:accepted Quinn@Example.com:pending" {
			t.Fatalf("statuses %s", got)
		}
		wantFault(t, anon("Auth.accept_invitation", pat.Token, "pat2", "x"), CodeInternal, "Internal error: This invitation was already accepted; log in instead.")
	})
	t.Run("OKExpiredResentRevoked", func(t *testing.T) {
		mustExec(t, conn, "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE id = $1", quinn.ID)
		if got := statuses(t, b.aliceA); !strings.Contains(got, "Quinn@Example.com:expired") {
			t.Fatalf("statuses %s", got)
		}
		wantFault(t, anon("Auth.accept_invitation", quinn.Token, "quinn", "quinn-pass-1"), CodeInternal, "Internal error: This invitation expired on ")
		var again invited
		result(t, b.aliceA("Invitation.resend", quinn.ID, false), &again)
		if again.ID != quinn.ID || again.Token == quinn.Token || !strings.HasPrefix(again.Token, store.InvitationPrefix) {
			t.Fatalf("resent %+v", again)
		}
		wantFault(t, anon("Auth.accept_invitation", quinn.Token, "quinn", "quinn-pass-1"), CodeInternal, "Internal error: Invalid invitation token.")
		if got := statuses(t, b.aliceA); !strings.Contains(got, "Quinn@Example.com:pending") {
			t.Fatalf("statuses %s", got)
		}
		result(t, b.aliceA("Invitation.revoke", quinn.ID), new(any))
		result(t, b.aliceA("Invitation.revoke", quinn.ID), new(any)) // again: no change
		wantFault(t, anon("Auth.accept_invitation", again.Token, "quinn", "quinn-pass-1"), CodeInternal, "Internal error: This invitation was revoked; ask for a new one.")
		if got := statuses(t, b.aliceA); got != "pat@example.com:accepted Quinn@Example.com:revoked" {
			t.Fatalf("statuses %s", got)
		}
		if _, ok := userNamed(t, b.testServer, "quinn"); ok {
			t.Fatal("a refused acceptance created an account")
		}
		wantFault(t, b.aliceA("Invitation.revoke", pat.ID), CodeInternal, fmt.Sprintf("Internal error: Invitation %d was accepted: take the user out of the tenant with Tenant.remove_authorized_user instead.", pat.ID))
		wantFault(t, b.aliceA("Invitation.resend", pat.ID), CodeInternal, fmt.Sprintf("Internal error: Invitation %d was accepted", pat.ID))
	})
	t.Run("OKInvitingAgainRenews", func(t *testing.T) {
		var again inviteReply
		result(t, b.aliceA("Tenant.invite", []any{"quinn@example.com"}, false), &again)
		if again.Invitations[0].ID != quinn.ID {
			t.Fatalf("a second row: %+v", again)
		}
		var rows int
		conn.QueryRow(t.Context(), "SELECT count(*) FROM invitations").Scan(&rows)
		if rows != 2 || !strings.Contains(statuses(t, b.aliceA), "quinn@example.com:pending") {
			t.Fatalf("%d rows, %s", rows, statuses(t, b.aliceA))
		}
		var u store.User
		result(t, anon("Auth.accept_invitation", again.Invitations[0].Token, "quinn", "quinn-pass-1"), &u)
	})
	t.Run("OKExistingAccount", func(t *testing.T) {
		var inv inviteReply
		result(t, b.aliceA("Tenant.invite", []any{"carol@example.com"}, false), &inv)
		token := inv.Invitations[0].Token
		// Someone holding the token cannot take over the account: it needs
		// the account's own password.
		wantFault(t, anon("Auth.accept_invitation", token, "carol", "guessed"), CodeInternal, "Internal error: Wrong username or password")
		wantFault(t, b.at("/t/a", "carol", "carol-pass")("Product.filter", map[string]any{}), CodeAuth, "Authentication failed")
		result(t, anon("Auth.accept_invitation", token, "carol", "carol-pass"), new(any))
		result(t, b.at("/t/a", "carol", "carol-pass")("Product.filter", map[string]any{}), new(any))
	})
	t.Run("OKXMLRPC", func(t *testing.T) {
		alice := b.xmlAt("/t/a", "alice", "alice-pass")
		var inv map[string]any
		if err := alice.Call("Tenant.invite", []any{[]any{"rex@example.com"}, false}, &inv); err != nil {
			t.Fatal(err)
		}
		issued := inv["invitations"].([]any)[0].(map[string]any)
		if _, ok := issued["expires_at"].(time.Time); !ok {
			t.Fatalf("invitation %v", issued)
		}
		var u map[string]any
		if err := b.xmlAt("", "", "").Call("Auth.accept_invitation", []any{issued["token"], "rex", "rex-pass-1"}, &u); err != nil || u["username"] != "rex" {
			t.Fatalf("%v %v", u, err)
		}
		var rows []map[string]any
		if err := alice.Call("Invitation.filter", []any{map[string]any{"email": "rex@example.com"}}, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0]["status"] != "accepted" || rows[0]["invited_by__username"] != "alice" || rows[0]["token"] != nil {
			t.Fatalf("rows %v", rows)
		}
		var again map[string]any
		if err := alice.Call("Invitation.resend", []any{quinn.ID, false}, &again); err == nil {
			t.Fatal("resending an accepted invitation over XML-RPC worked")
		}
		err := alice.Call("Invitation.revoke", []any{999}, nil)
		wantXMLFault(t, err, CodeInternal, "Internal error: Invitation matching query does not exist.")
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := invitationCount(t, conn)
		for _, call := range []struct {
			method string
			params []any
		}{{"Tenant.invite", []any{[]any{"x@example.com"}}}, {"Invitation.resend", []any{quinn.ID}}, {"Invitation.revoke", []any{quinn.ID}}} {
			wantFault(t, b.bobA(call.method, call.params...), CodeAuth, fmt.Sprintf(`Authentication failed when calling %q: permission tcms_tenants.change_tenant required`, call.method))
		}
		wantFault(t, b.bobA("Invitation.filter", map[string]any{}), CodeAuth, `Authentication failed when calling "Invitation.filter": permission tcms_tenants.view_tenant required`)
		// Alice owns a, not b: her labels in a do not reach b's invitations.
		wantFault(t, b.at("/t/b", "alice", "alice-pass")("Invitation.filter", map[string]any{}), CodeAuth, "Authentication failed")
		if n := rowCount(t, b.bobB("Invitation.filter", map[string]any{})); n != 0 {
			t.Fatalf("b sees %d of a's invitations", n)
		}
		wantFault(t, b.bobB("Invitation.revoke", quinn.ID), CodeInternal, "Internal error: Invitation matching query does not exist.")
		if invitationCount(t, conn) != before {
			t.Fatal("a refused call wrote an invitation")
		}
	})
	t.Run("ErrInput", func(t *testing.T) {
		many := make([]any, 101)
		for i := range many {
			many[i] = fmt.Sprintf("m%d@example.com", i)
		}
		for _, c := range []struct {
			call   func(string, ...any) jsonResponse
			method string
			params []any
			code   int
			msg    string
		}{
			{b.aliceA, "Tenant.invite", []any{many}, CodeInternal, "Internal error: email_addresses: Ensure this list has at most 100 items (it has 101)."},
			{b.aliceA, "Tenant.invite", []any{"x@example.com"}, CodeInvalidParams, "Invalid parameters: email_addresses:"},
			{b.aliceA, "Invitation.resend", []any{999}, CodeInternal, "Internal error: Invitation matching query does not exist."},
			{b.aliceA, "Invitation.filter", []any{map[string]any{"token": "x"}}, CodeInvalidRequest, "Invalid request: Unsupported field"},
			{b.aliceA, "Invitation.filter", []any{map[string]any{"nope": 1}}, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field."},
			{b.admin, "Invitation.filter", []any{map[string]any{}}, CodeInternal, "Internal error: This method works inside a tenant"},
			{anon, "Auth.accept_invitation", []any{"tcmsinv_" + strings.Repeat("0", 64), "x", "x"}, CodeInternal, "Internal error: Invalid invitation token."},
			{anon, "Auth.accept_invitation", []any{"nonsense", "x", "x"}, CodeInternal, "Internal error: Invalid invitation token."},
			{anon, "Auth.accept_invitation", []any{quinn.Token, "", "x"}, CodeInternal, "Internal error: username and password are required."},
			{anon, "Auth.accept_invitation", []any{quinn.Token, "x"}, CodeInvalidParams, "Invalid parameters: expected 3 parameters, got 2"},
		} {
			wantFault(t, c.call(c.method, c.params...), c.code, c.msg)
		}
	})
}

func invitationCount(t *testing.T, conn *pgx.Conn) (n int) {
	t.Helper()
	if err := conn.QueryRow(t.Context(), "SELECT count(*) FROM invitations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// userNamed looks a user up as admin at the public address of a server
// with tenants.
func userNamed(t *testing.T, ts *testServer, name string) (store.User, bool) {
	t.Helper()
	var us []store.User
	result(t, ts.at("/t/public", adminName, adminPass)("User.filter", map[string]any{"username": name}), &us)
	if len(us) == 0 {
		return store.User{}, false
	}
	return us[0], true
}

// TestInvitationEscalation: inviting puts people in the tenant's default
// groups, so an inviter must hold their labels; and invitation tokens
// cannot be guessed: wrong ones are throttled like failed logins.
func TestInvitationEscalation(t *testing.T) {
	b := mustTenantBed(t, func(*Config) {})
	// bob may change tenant a (invite) but holds none of the Tester labels.
	var g []store.TenantGroup
	result(t, b.aliceA("TenantGroup.create", map[string]any{"name": "Inviters"}), new(any))
	result(t, b.aliceA("TenantGroup.filter", map[string]any{"name": "Inviters"}), &g)
	result(t, b.aliceA("TenantGroup.add_permission", g[0].ID, "tcms_tenants.change_tenant"), new(any))
	result(t, b.aliceA("TenantGroup.add_user", g[0].ID, "bob"), new(any))
	result(t, b.aliceA("TenantGroup.remove_user", b.tenantTesterGroup(t), "bob"), new(any))
	wantFault(t, b.bobA("Tenant.invite", []any{"x@example.com"}, false), CodeInternal, "Internal error: You cannot put users in a group holding a permission you do not hold: ")
	var n int
	b.mustDB().QueryRow(t.Context(), "SELECT count(*) FROM invitations").Scan(&n)
	if n != 0 {
		t.Fatal("a refused invitation was written")
	}

	guesser := b.from("192.0.2.99:4000", "/t/public")
	for i := range 10 {
		wantFault(t, guesser("Auth.accept_invitation", fmt.Sprintf("tcmsinv_%064x", i), "g", "g"), CodeInternal, "Internal error: Invalid invitation token.")
	}
	wantFault(t, guesser("Auth.accept_invitation", fmt.Sprintf("tcmsinv_%064x", 11), "g", "g"), CodeInternal, "Internal error: Too many invalid tokens from this address; try again in ")
	wantFault(t, guesser("Auth.reset_password", fmt.Sprintf("tcmsrst_%064x", 11), "g"), CodeInternal, "Internal error: Too many invalid tokens from this address")
	// Others are not affected.
	wantFault(t, b.from("192.0.2.100:4000", "/t/public")("Auth.accept_invitation", "x", "g", "g"), CodeInternal, "Internal error: Invalid invitation token.")
}

// tenantTesterGroup returns the id of tenant a's Tester group.
func (b tenantBed) tenantTesterGroup(t *testing.T) int64 {
	t.Helper()
	var gs []store.TenantGroup
	result(t, b.aliceA("TenantGroup.filter", map[string]any{"name": store.TesterGroup}), &gs)
	return gs[0].ID
}

// xmlAt is a kolo/xmlrpc client at a tenant's path prefix ("" for the
// public one), sending HTTP Basic credentials unless user is "".
func (ts *testServer) xmlAt(prefix, user, pass string) *xmlrpc.Client {
	ts.t.Helper()
	if prefix == "" {
		prefix = "/t/public"
	}
	u := ts.URL
	if user != "" {
		u = strings.Replace(u, "http://", "http://"+url.UserPassword(user, pass).String()+"@", 1)
	}
	c, err := xmlrpc.NewClient(u+prefix+"/xml-rpc/", nil)
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.t.Cleanup(func() { c.Close() })
	return c
}
