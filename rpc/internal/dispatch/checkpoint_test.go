package dispatch

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// jsonResponse is a JSON-RPC response object.
type jsonResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// jsonCall makes one anonymous JSON-RPC call without parameters.
func jsonCall(d *Dispatcher, method string) jsonResponse {
	body := `{"jsonrpc":"2.0","method":"` + method + `","id":1}`
	req := httptest.NewRequest(http.MethodPost, "/json-rpc/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	d.ServeJSON(w, req)
	var r jsonResponse
	json.Unmarshal(w.Body.Bytes(), &r)
	return r
}

// userGetter stands in for a single-record getter of the User namespace.
type userGetter struct{}

type userGetArgs struct {
	ID int64 `json:"user_id"`
}

func (userGetter) Get(_ *http.Request, a *userGetArgs, reply *int64) error {
	*reply = a.ID
	return nil
}

// TestGetterObjectCheck runs the permission check of a getter the way a
// call does (authorize, then ReadRequest), for callers with and without
// the unbound label and object grants.
func TestGetterObjectCheck(t *testing.T) {
	st := storetest.New(t)
	d := &Dispatcher{store: st}
	ctx := t.Context()
	if _, err := st.RefreshPermissions(ctx); err != nil {
		t.Fatal(err)
	}
	reg := registry{}
	if err := reg.add(Service{"User", userGetter{}, []Method{{Name: "User.get", Access: Perms, Perms: []string{"auth.view_user"}, Getter: true}}}); err != nil {
		t.Fatal(err)
	}
	m := reg["User.get"]
	principal := func(n store.NewUser) store.Principal {
		u, err := st.CreateUser(ctx, store.System, n)
		if err != nil {
			t.Fatal(err)
		}
		return store.Principal{UserID: u.ID, Username: u.Username, IsSuperuser: u.IsSuperuser}
	}
	admin := principal(store.NewUser{Username: "admin", IsStaff: true, IsSuperuser: true})
	tester := principal(store.NewUser{Username: "tester"})
	viewer, err := st.CreateUser(ctx, store.System, store.NewUser{Username: "viewer", Groups: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserPermissions(ctx, admin, viewer.ID, []string{"auth.view_user"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.GrantObject(ctx, admin, store.ObjectGrantSpec{UserID: tester.UserID, Permission: "auth.view_user", ObjectType: "User", ObjectID: viewer.ID}); err != nil {
		t.Fatal(err)
	}
	get := func(who store.Principal, id int64) error {
		objectCheck, err := d.authorize(ctx, &who, "", m)
		if err != nil {
			return err
		}
		c := &call{name: m.Name, d: d, ctx: ctx, who: &who, method: m, params: []any{id}, objectCheck: objectCheck}
		return c.ReadRequest(&userGetArgs{})
	}
	refused := `Authentication failed when calling "User.get": permission auth.view_user required`
	for _, c := range []struct {
		name string
		who  store.Principal
		id   int64
		want string
	}{
		{"OKSuperuser", admin, viewer.ID, ""},
		{"OKUnbound", store.Principal{UserID: viewer.ID}, admin.UserID, ""},
		{"OKObjectGrant", tester, viewer.ID, ""},
		{"ErrOtherRecord", tester, admin.UserID, refused},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := get(c.who, c.id)
			if (c.want == "" && err != nil) || (c.want != "" && (err == nil || err.Error() != c.want)) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
	t.Run("ErrDeclaration", func(t *testing.T) {
		for _, bad := range []Method{
			{Name: "User.get", Access: Perms, Perms: []string{"testcases.view_testcase"}, Getter: true},
			{Name: "User.get", Access: Perms, Perms: []string{"auth.view_user", "auth.change_user"}, Getter: true},
		} {
			if err := (registry{}).add(Service{"User", userGetter{}, []Method{bad}}); err == nil {
				t.Fatalf("%+v: want a declaration error", bad)
			}
		}
	})
}

type panicService struct{}

func (panicService) Boom(*http.Request, *NoArgs, *string) error { panic("boom") }

func TestPanicIsInternalError(t *testing.T) {
	st := storetest.New(t)
	d, err := New(Config{Store: st, Sessions: session.New(st, bytes.Repeat([]byte("k"), 32), time.Hour), Log: slog.New(slog.DiscardHandler),
		MaxBodyBytes: 1 << 20, MaxBatch: 10, MaxResponseBytes: 1 << 20, ReplyMemory: 1 << 20},
		[]Service{{"Test", panicService{}, []Method{{Name: "Test.boom"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if r := jsonCall(d, "Test.boom"); r.Error == nil || r.Error.Code != wire.CodeInternal || r.Error.Message != "Internal error: internal error" {
		t.Fatalf("want the internal error fault, got %s %+v", r.Result, r.Error)
	}
	// The server goes on serving.
	if r := jsonCall(d, "system.listMethods"); r.Error != nil {
		t.Fatal(r.Error.Message)
	}
}
