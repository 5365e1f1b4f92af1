package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// User is the User namespace: Kiwi's methods plus provisioning.
type User struct{ s *Server }

var userMethods = []Method{
	{Name: "User.filter", Access: Perms, Perms: []string{"auth.view_user"}, Returns: "array",
		Doc: "Users matching the query, by id; an empty query matches only the caller. Filterable: id, username, email, first_name, last_name, is_active, is_staff, is_superuser, date_joined, last_login, groups, groups__id, groups__name. Passwords are never returned nor filterable."},
	{Name: "User.get", Access: Perms, Perms: []string{"auth.view_user"}, Getter: true, Returns: "struct",
		Doc: "One user by id. Also answers the user itself, and holders of an object grant of auth.view_user on that user."},
	{Name: "User.deactivate", Access: Perms, Perms: []string{"auth.change_user"}, Returns: "array",
		Doc: "Deactivates every user the query matches ({} matches all, as in Kiwi): password unusable, not active, staff or superuser, no permissions or groups, sessions and tokens ended. Returns them."},
	{Name: "User.update", Access: Login, Returns: "struct",
		Doc: "Updates first_name, last_name, email and, for the caller only, password (with old_password) of a user (the caller when user_id is empty); other users need auth.change_user. Falsy values are skipped, as in Kiwi. {\"is_locked\": false} lifts a login lockout (auth.change_user)."},
	{Name: "User.join_group", Access: Perms, Perms: []string{"auth.change_user"}, Returns: "nil",
		Doc: "Adds the user to the group, both by exact name. Only a superuser adds anyone to Administrator."},
	{Name: "User.create", Access: Perms, Perms: []string{"auth.add_user"}, Returns: "struct",
		Doc: "Creates a user from {username, email, first_name, last_name, password (optional: none means no password login), is_active (default true), is_staff, is_superuser (superusers only), groups (names or ids; default TCMS_DEFAULT_GROUPS)} and returns it."},
	{Name: "User.add_permission", Access: Perms, Perms: []string{"auth.change_user"}, Returns: "nil",
		Doc: "Grants a label or a list of labels to a user (id or username) directly. A non-superuser grants only labels it holds."},
	{Name: "User.remove_permission", Access: Perms, Perms: []string{"auth.change_user"}, Returns: "nil",
		Doc: "Takes a label or a list of labels given directly to a user (id or username)."},
	{Name: "User.add_attachment", Access: Perms, Perms: []string{"attachments.add_attachment"}, Returns: "struct",
		Doc: "Attaches a file (base64 content, at most 5 MiB, no executables or active HTML) to the caller's own user record and returns {url, filename}."},
	{Name: "User.permissions", Access: Perms, Perms: []string{"auth.view_user"}, Returns: "array",
		Doc: `The labels a user (id or username) holds with their source, [{permission, source}], source being "direct", "group:<name>" or "superuser".`},
}

// Filter answers User.filter.
func (u *User) Filter(r *http.Request, args *OptQueryArgs, reply *[]store.User) (err error) {
	q := args.Query
	if len(q) == 0 {
		q = map[string]any{"id": stateOf(r).who.UserID}
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
	*reply, err = u.s.store.DeactivateMatching(r.Context(), args.Query)
	return err
}

// UserUpdateArgs are the parameters of User.update.
type UserUpdateArgs struct {
	UserID *int64         `json:"user_id"`
	Values map[string]any `json:"values"`
}

// Update answers User.update with the rules of Kiwi's (kiwi-rpc-api.md 5.8).
func (u *User) Update(r *http.Request, args *UserUpdateArgs, reply *store.User) error {
	ctx, who := r.Context(), *stateOf(r).who
	id := who.UserID
	if args.UserID != nil && *args.UserID != 0 {
		id = *args.UserID
	}
	target, err := u.s.store.UserByID(ctx, id)
	if err != nil {
		return err
	}
	if id != who.UserID {
		if missing, err := u.s.store.MissingPermission(ctx, who, []string{"auth.change_user"}); err != nil || missing != "" {
			return orErr(err, store.Errorf(store.Forbidden, "Permission denied"))
		}
	}
	v := values(args.Values)
	if err := u.unlock(r, id, v); err != nil {
		return err
	}
	var p store.Profile
	for key, dst := range map[string]**string{"first_name": &p.FirstName, "last_name": &p.LastName, "email": &p.Email} {
		s, _, err := v.str(key)
		if err != nil {
			return err
		}
		if s != "" {
			*dst = &s
		}
	}
	if password, _, err := v.str("password"); err != nil || password != "" {
		if err == nil {
			err = u.changePassword(r, id, password, v)
		}
		if err != nil {
			return err
		}
	}
	if p != (store.Profile{}) {
		target, err = u.s.store.UpdateProfile(ctx, id, p)
	}
	*reply = target
	return err
}

// unlock lifts a login lockout when values say {"is_locked": false}; it
// needs auth.change_user, even for oneself.
func (u *User) unlock(r *http.Request, id int64, v values) error {
	locked, given, err := v.boolean("is_locked")
	if err != nil || !given {
		return err
	}
	if locked {
		return store.Errorf(store.Invalid, "is_locked: Only false (unlock) can be set; accounts lock themselves after failed logins.")
	}
	missing, err := u.s.store.MissingPermission(r.Context(), *stateOf(r).who, []string{"auth.change_user"})
	if err != nil || missing != "" {
		return orErr(err, store.Errorf(store.Forbidden, "Permission denied"))
	}
	return u.s.store.UnlockUser(r.Context(), id)
}

func (u *User) changePassword(r *http.Request, id int64, password string, v values) error {
	if id != stateOf(r).who.UserID {
		return store.Errorf(store.Forbidden, "Password updates for other users are not allowed via RPC!")
	}
	old, _, err := v.str("old_password")
	if err != nil {
		return err
	}
	if old == "" {
		return store.Errorf(store.Invalid, "Old password is required")
	}
	return u.s.store.ChangePassword(r.Context(), id, old, password)
}

// JoinGroupArgs are the parameters of User.join_group.
type JoinGroupArgs struct {
	Username  string `json:"username"`
	Groupname string `json:"groupname"`
}

// JoinGroup answers User.join_group.
func (u *User) JoinGroup(r *http.Request, args *JoinGroupArgs, _ *any) error {
	return u.s.store.JoinGroup(r.Context(), *stateOf(r).who, args.Username, args.Groupname)
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
	who := stateOf(r).who
	if nu.IsSuperuser && !who.IsSuperuser {
		return store.Errorf(store.Forbidden, "Only a superuser can create a superuser.")
	}
	if g, ok := v["groups"]; ok && g != nil {
		if nu.Groups, err = u.groupNames(r, g); err != nil {
			return err
		}
	}
	*reply, err = u.s.store.CreateUser(r.Context(), nu)
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
		if n == store.AdministratorGroup && !stateOf(r).who.IsSuperuser {
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
	return u.s.store.SetUserPermissions(r.Context(), *stateOf(r).who, args.UserID, ls, grant)
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
	a, err := u.s.addAttachment(r, "auth_user", stateOf(r).who.UserID, args.Filename, args.B64Content)
	*reply = AttachmentRef{URL: a.URL, Filename: a.Filename}
	return err
}
