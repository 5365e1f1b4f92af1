package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// User is the User namespace: Kiwi's methods plus provisioning.
type User struct{ s *Server }

var userMethods = []Method{
	{Name: "User.filter", Access: Perms, Perms: []string{"auth.view_user"}, Returns: "array",
		Doc: "Users matching the query, by id (inside a tenant, its authorised users only); an empty query matches only the caller. Filterable: id, username, email, first_name, last_name, is_active, is_staff, is_superuser, date_joined, last_login, groups, groups__id, groups__name. Passwords are never returned nor filterable."},
	{Name: "User.get", Access: Perms, Perms: []string{"auth.view_user"}, Getter: true, Returns: "struct",
		Doc: "One user by id (inside a tenant, one of its authorised users). Also answers holders of an object grant of auth.view_user on that user."},
	{Name: "User.deactivate", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "array",
		Doc: "Deactivates every user the query matches ({} matches all, as in Kiwi): not active, sessions ended, API tokens refused; groups, grants and password are kept for User.update's reactivation. Only a superuser deactivates superusers. Returns them."},
	{Name: "User.update", Access: Login, Global: true, Returns: "struct",
		Doc: "Updates a user (the caller when user_id is empty) from {first_name, last_name, email, password, old_password, is_active, is_locked, is_staff, is_superuser}; other keys are refused. Falsy names and email are skipped, as in Kiwi. The caller's own password needs old_password. Another user, is_active and {\"is_locked\": false} (lift a lockout) need auth.change_user; another user's password or email also every label that user holds; is_staff, is_superuser and superusers only superusers."},
	{Name: "User.join_group", Access: Perms, Perms: []string{"auth.change_user"}, Returns: "nil",
		Doc: "Adds the user to the group, both by exact name: a shared group at the public address, a group of the tenant inside one. The caller must hold every label of the group; only a superuser adds anyone to the shared Administrator group."},
	{Name: "User.create", Access: Perms, Perms: []string{"auth.add_user"}, Global: true, Returns: "struct",
		Doc: "Creates a user from {username, email, first_name, last_name, password (optional: none means no password login), is_active (default true), is_staff, is_superuser (superusers only), groups (names or ids; default TCMS_DEFAULT_GROUPS)} and returns it. The caller must hold every label of those groups."},
	{Name: "User.add_permission", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "nil",
		Doc: "Grants a label or a list of labels to a user (id or username) directly. A non-superuser grants only labels it holds, and changes no superuser."},
	{Name: "User.remove_permission", Access: Perms, Perms: []string{"auth.change_user"}, Global: true, Returns: "nil",
		Doc: "Takes a label or a list of labels given directly to a user (id or username); a non-superuser changes no superuser."},
	{Name: "User.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "struct",
		Doc: "Attaches a file (base64 content, at most 5 MiB, no executables or active HTML) to the caller's own user record and returns {url, filename}."},
	{Name: "User.permissions", Access: Perms, Perms: []string{"auth.view_user"}, Returns: "array",
		Doc: `The labels a user (id or username) holds with their source, [{permission, source}], source being "direct", "group:<name>" or "superuser"; inside a tenant, those its groups give an authorised user.`},
}

// Filter answers User.filter.
func (u *User) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.User) (err error) {
	q := args.Query
	if len(q) == 0 {
		q = map[string]any{"id": caller(r).UserID}
	}
	*reply, err = u.s.store.FilterUsers(r.Context(), q)
	return err
}

// UserGetArgs are the parameters of User.get.
type UserGetArgs struct {
	UserID int64 `json:"user_id"`
}

// Get answers User.get; the check point has already applied object grants.
func (u *User) Get(r *http.Request, args *UserGetArgs, reply *store.User) (err error) {
	*reply, err = u.s.store.UserByID(r.Context(), args.UserID)
	return err
}

// Deactivate answers User.deactivate.
func (u *User) Deactivate(r *http.Request, args *QueryArgs, reply *[]store.User) (err error) {
	if args.Query == nil {
		return invalidParams("query is required; {} matches every user")
	}
	*reply, err = u.s.store.DeactivateMatching(r.Context(), *caller(r), args.Query)
	return err
}

// UserUpdateArgs are the parameters of User.update.
type UserUpdateArgs struct {
	UserID *int64         `json:"user_id"`
	Values map[string]any `json:"values"`
}

// userUpdateKeys are the keys User.update takes.
var userUpdateKeys = []string{"first_name", "last_name", "email", "password", "old_password",
	"is_active", "is_locked", "is_staff", "is_superuser"}

// Update answers User.update as Kiwi's does (and with the lifecycle of
// docs/permissions.md): the store refuses escalation.
func (u *User) Update(r *http.Request, args *UserUpdateArgs, reply *store.User) error {
	ctx, who := r.Context(), *caller(r)
	id := who.UserID
	if args.UserID != nil && *args.UserID != 0 {
		id = *args.UserID
	}
	v := values(args.Values)
	c, err := userChange(v)
	if err != nil {
		return err
	}
	if id != who.UserID || c.IsActive != nil || c.Unlock {
		if missing, err := u.s.store.MissingPermission(ctx, who, []string{"auth.change_user"}); err != nil || missing != "" {
			return orErr(err, store.Errorf(store.Forbidden, "Permission denied: changing another user, is_active or is_locked needs auth.change_user"))
		}
	}
	if c == (store.UserChange{}) {
		*reply, err = u.s.store.UserByID(ctx, id)
		return err
	}
	*reply, err = u.s.store.UpdateUser(ctx, who, id, c)
	return err
}

// userChange reads User.update's values.
func userChange(v values) (c store.UserChange, err error) {
	if err := v.only(userUpdateKeys...); err != nil {
		return c, err
	}
	for key, dst := range map[string]**string{"first_name": &c.FirstName, "last_name": &c.LastName,
		"email": &c.Email, "password": &c.Password, "old_password": &c.OldPassword} {
		s, _, err := v.str(key)
		if err != nil {
			return c, err
		}
		if s != "" { // falsy values are skipped, as in Kiwi
			*dst = &s
		}
	}
	for key, dst := range map[string]**bool{"is_active": &c.IsActive, "is_staff": &c.IsStaff, "is_superuser": &c.IsSuperuser} {
		b, given, err := v.boolean(key)
		if err != nil {
			return c, err
		}
		if given {
			*dst = &b
		}
	}
	locked, given, err := v.boolean("is_locked")
	if err != nil {
		return c, err
	}
	if given && locked {
		return c, store.Errorf(store.Invalid, "is_locked: Only false (unlock) can be set; accounts lock themselves after failed logins.")
	}
	c.Unlock = given
	return c, nil
}

// JoinGroupArgs are the parameters of User.join_group.
type JoinGroupArgs struct {
	Username  string `json:"username"`
	Groupname string `json:"groupname"`
}

// JoinGroup answers User.join_group.
func (u *User) JoinGroup(r *http.Request, args *JoinGroupArgs, _ *any) error {
	return u.s.store.JoinGroup(r.Context(), *caller(r), args.Username, args.Groupname)
}

// Create answers User.create.
func (u *User) Create(r *http.Request, args *ValuesArgs, reply *store.User) error {
	v := values(args.Values)
	var nu store.NewUser
	for key, dst := range map[string]*string{"username": &nu.Username, "email": &nu.Email,
		"first_name": &nu.FirstName, "last_name": &nu.LastName, "password": &nu.Password} {
		s, _, err := v.str(key)
		if err != nil {
			return err
		}
		*dst = s
	}
	active, given, err := v.boolean("is_active")
	if err != nil {
		return err
	}
	nu.Inactive = given && !active
	if nu.IsStaff, _, err = v.boolean("is_staff"); err != nil {
		return err
	}
	if nu.IsSuperuser, _, err = v.boolean("is_superuser"); err != nil {
		return err
	}
	if g, ok := v["groups"]; ok && g != nil {
		if nu.Groups, err = u.groupNames(r, g); err != nil {
			return err
		}
	}
	*reply, err = u.s.store.CreateUser(r.Context(), *caller(r), nu)
	return err
}

// groupNames resolves the groups of User.create to names, refusing
// Administrator to non-superusers.
func (u *User) groupNames(r *http.Request, v any) ([]string, error) {
	items, err := refs("groups", v)
	if err != nil {
		return nil, err
	}
	names, err := u.s.store.GroupNames(r.Context(), items)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == store.AdministratorGroup && !caller(r).IsSuperuser {
			return nil, store.Errorf(store.Forbidden, "Only a superuser can change the members of Administrator.")
		}
	}
	return names, nil
}

// UserPermissionArgs are the parameters of User.add_permission and
// User.remove_permission.
type UserPermissionArgs struct {
	UserID      any `json:"user_id"`
	Permissions any `json:"permissions"`
}

// AddPermission answers User.add_permission.
func (u *User) AddPermission(r *http.Request, args *UserPermissionArgs, _ *any) error {
	return u.setPermissions(r, args, true)
}

// RemovePermission answers User.remove_permission.
func (u *User) RemovePermission(r *http.Request, args *UserPermissionArgs, _ *any) error {
	return u.setPermissions(r, args, false)
}

func (u *User) setPermissions(r *http.Request, args *UserPermissionArgs, grant bool) error {
	ls, err := labels(args.Permissions)
	if err != nil {
		return err
	}
	if _, err := refs("user_id", args.UserID); err != nil {
		return err
	}
	return u.s.store.SetUserPermissions(r.Context(), *caller(r), args.UserID, ls, grant)
}

// UserRefArgs names one user by id or username.
type UserRefArgs struct {
	UserID any `json:"user_id"`
}

// Permissions answers User.permissions.
func (u *User) Permissions(r *http.Request, args *UserRefArgs, reply *[]store.PermissionSource) error {
	if _, err := refs("user_id", args.UserID); err != nil {
		return err
	}
	var err error
	*reply, err = u.s.store.UserPermissions(r.Context(), args.UserID)
	return err
}

// orErr returns err when it is not nil, else fallback.
func orErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// AddAttachmentArgs are the parameters of User.add_attachment.
type AddAttachmentArgs struct {
	Filename   string `json:"filename"`
	B64Content string `json:"b64content"`
}

// AttachmentRef is what User.add_attachment returns.
type AttachmentRef struct {
	URL      string `json:"url"`
	Filename string `json:"filename"`
}

// AddAttachment answers User.add_attachment.
func (u *User) AddAttachment(r *http.Request, args *AddAttachmentArgs, reply *AttachmentRef) error {
	a, err := u.s.addAttachment(r, "auth_user", caller(r).UserID, args.Filename, args.B64Content)
	*reply = AttachmentRef{URL: tenantPrefix(r) + a.URL, Filename: a.Filename}
	return err
}
