package rpc

import (
	"net/http"
	"reflect"

	"github.com/tcms/tcms/rpc/internal/wire"
	"github.com/tcms/tcms/store"
)

// ObjectPermission is the ObjectPermission namespace: object-level grants,
// which only single-record getters honour (docs/permissions.md).
type ObjectPermission struct{ s *Server }

var objectPermissionMethods = []Method{
	{Name: "ObjectPermission.grant", Access: Perms, Perms: []string{"tcms.add_objectpermission"}, Returns: "struct",
		Doc: "Grants a permission on one record to a user or group: values has user (id or username) or group (id or name), permission, object_type and object_id. Returns the grant; granting an existing grant returns it."},
	{Name: "ObjectPermission.revoke", Access: Perms, Perms: []string{"tcms.delete_objectpermission"}, Returns: "struct",
		Doc: "Revokes one grant, named by the same values as grant. Returns {\"removed\": n}; n is 0 when there was no such grant."},
	{Name: "ObjectPermission.filter", Access: Perms, Perms: []string{"tcms.view_objectpermission"}, Returns: "array",
		Doc: "Lists the grants matching query (keys id, user, user__username, group, group__name, permission, object_type, object_id), by id."},
}

// ObjectPermissionValues is the parameter of grant and revoke.
type ObjectPermissionValues struct {
	Values map[string]any `json:"values"`
}

// grantValues are the keys of a grant's values dict. They bind like
// keyword parameters, so types and unknown keys get the usual faults.
type grantValues struct {
	Permission string `json:"permission"`
	ObjectType string `json:"object_type"`
	ObjectID   int64  `json:"object_id"`
	User       any    `json:"user" rpc:"optional"`
	Group      any    `json:"group" rpc:"optional"`
}

var grantValuesShape = func() *wire.Shape {
	s, err := wire.ShapeOf(reflect.TypeFor[grantValues]())
	if err != nil {
		panic(err)
	}
	return s
}()

// grantSpec reads a values dict.
func grantSpec(values map[string]any) (store.ObjectGrantSpec, error) {
	if values == nil {
		values = map[string]any{}
	}
	var v grantValues
	if err := grantValuesShape.Bind(&v, nil, values); err != nil {
		return store.ObjectGrantSpec{}, err
	}
	spec := store.ObjectGrantSpec{Permission: v.Permission, ObjectType: v.ObjectType, ObjectID: v.ObjectID}
	var err error
	if spec.UserID, spec.Username, err = idOrName("user", v.User); err != nil {
		return spec, err
	}
	spec.GroupID, spec.GroupName, err = idOrName("group", v.Group)
	return spec, err
}

// idOrName reads a reference given as an integer id or as a name.
func idOrName(key string, v any) (int64, string, error) {
	switch x := v.(type) {
	case nil:
		return 0, "", nil
	case int64:
		return x, "", nil
	case string:
		return 0, x, nil
	}
	return 0, "", invalidParams("%s: expected an id or a name, got %s", key, wire.Describe(v))
}

// Grant answers ObjectPermission.grant.
func (o *ObjectPermission) Grant(r *http.Request, args *ObjectPermissionValues, reply *store.ObjectGrant) error {
	spec, err := grantSpec(args.Values)
	if err != nil {
		return err
	}
	*reply, err = o.s.store.GrantObject(r.Context(), *caller(r), spec)
	return err
}

// Revoke answers ObjectPermission.revoke.
func (o *ObjectPermission) Revoke(r *http.Request, args *ObjectPermissionValues, reply *map[string]int64) error {
	spec, err := grantSpec(args.Values)
	if err != nil {
		return err
	}
	n, err := o.s.store.RevokeObject(r.Context(), spec)
	if err != nil {
		return err
	}
	*reply = map[string]int64{"removed": n}
	return nil
}

// Filter answers ObjectPermission.filter.
func (o *ObjectPermission) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.ObjectGrant) error {
	var err error
	*reply, err = o.s.store.ObjectGrants(r.Context(), args.Query)
	return err
}
