package dispatch

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/tcms/tcms/rpc/internal/tenancy"
	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// The permission check point (docs/permissions.md): the tenant's admission,
// then the method's labels, then, for a getter, an object grant on the
// record asked for.

// authorize refuses a caller who may not call m: anonymous callers of
// methods that need a login (why is the reason they are given, if not the
// usual one), and callers lacking any of m's labels. The caller's
// permission set comes from the store's cache. A single-record getter
// whose caller lacks its label is not refused yet: objectCheck says that
// an object grant on the record must decide.
func (d *Dispatcher) authorize(ctx context.Context, who *store.Principal, why string, m *Method) (objectCheck bool, err error) {
	if m.Access == Anonymous {
		return false, nil
	}
	if who == nil {
		return false, wire.AuthFailed(m.Name, cmp.Or(why, "login required"))
	}
	if m.Access != Perms {
		return false, nil
	}
	missing, err := d.store.MissingPermission(ctx, *who, m.Perms)
	switch {
	case err != nil:
		return false, err
	case missing == "":
		return false, nil
	case m.Getter:
		return true, nil
	case m.Global && tenancy.Of(ctx) != nil:
		return false, wire.AuthFailed(m.Name, "permission "+missing+" required, held globally: labels from tenant "+tenancy.Of(ctx).SchemaName+"'s groups do not count for shared accounts and groups")
	}
	return false, wire.AuthFailed(m.Name, "permission "+missing+" required")
}

// authorizeObject is the rest of a getter's check: the caller needs an
// object grant of the getter's label on the record, whose type is the
// namespace and whose id is the first parameter. It runs before the
// handler, so a refused caller learns nothing, not even whether the
// record exists.
func (d *Dispatcher) authorizeObject(c *call, args any) error {
	m := c.method
	objectType, _, _ := strings.Cut(m.Name, ".")
	id := reflect.ValueOf(args).Elem().Field(m.args.Fields[0].Index).Int()
	ok, err := d.store.CanView(c.ctx, *c.who, m.Perms[0], objectType, id)
	if err != nil {
		return err
	}
	if !ok {
		return wire.AuthFailed(m.Name, "permission "+m.Perms[0]+" required")
	}
	return nil
}

// readable reports whether a method only reads test-management data: every
// label it needs is a view_ label of the apps the Tester group covers, so
// never accounts, groups, grants or tenants. These are what anonymous and
// unauthorised callers may call in a publicly readable tenant.
func readable(m *Method) bool {
	if m.Access != Perms {
		return false
	}
	for _, l := range m.Perms {
		app, codename, _ := strings.Cut(l, ".")
		if !strings.HasPrefix(codename, "view_") || !store.TestManagementApp(app) {
			return false
		}
	}
	return true
}

// Admit is the tenant's part of the permission check point, before the
// method's own labels: an expired tenant refuses every call; anonymous
// methods pass; superusers and authorised users go on to the label check;
// in a publicly readable tenant anyone may call readable methods (reader
// true: no label check); everyone else is refused.
func (d *Dispatcher) Admit(ctx context.Context, who *store.Principal, m *Method) (reader bool, err error) {
	t := tenancy.Of(ctx)
	if t == nil {
		return false, nil
	}
	if t.Expired(time.Now()) {
		return false, wire.AuthFailed(m.Name, fmt.Sprintf("the subscription of tenant %s ended on %s; renew it to continue",
			t.SchemaName, t.PaidUntil.UTC().Format(time.DateOnly)))
	}
	if m.Access == Anonymous {
		return false, nil
	}
	if who != nil {
		ok, err := d.store.Authorized(ctx, *who)
		if err != nil || ok {
			return false, err
		}
	}
	if t.PubliclyReadable && readable(m) {
		return true, nil
	}
	if who == nil {
		return false, wire.AuthFailed(m.Name, "login required: tenant "+t.SchemaName+" is not open to anonymous callers")
	}
	return false, wire.AuthFailed(m.Name, fmt.Sprintf("user %s is not authorised for tenant %s", who.Username, t.SchemaName))
}
