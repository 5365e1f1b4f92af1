package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// User is an account, as Django's auth_user without the password.
type User struct {
	ID          int64      `json:"id" db:"id"`
	Username    string     `json:"username" db:"username"`
	Email       string     `json:"email" db:"email"`
	FirstName   string     `json:"first_name" db:"first_name"`
	LastName    string     `json:"last_name" db:"last_name"`
	IsActive    bool       `json:"is_active" db:"is_active"`
	IsStaff     bool       `json:"is_staff" db:"is_staff"`
	IsSuperuser bool       `json:"is_superuser" db:"is_superuser"`
	DateJoined  time.Time  `json:"-" db:"-"`
	LastLogin   *time.Time `json:"-" db:"-"`
	LockedUntil *time.Time `json:"-" db:"-"` // logins refused until then; see SetLoginPolicy
}

// NewUser is what CreateUser needs; Password is the plain text, and empty
// for an account that cannot log in with a password. Groups are names;
// nil means the default groups.
type NewUser struct {
	Username, Email, Password string
	FirstName, LastName       string
	IsStaff, IsSuperuser      bool
	Inactive                  bool
	Groups                    []string
}

// SetDefaultGroups names the groups every new user joins unless it is
// created with groups of its own (DEFAULT_GROUPS; Tester by default).
func (s *Store) SetDefaultGroups(names []string) { s.defaultGroups = names }

func userFromRow(r db.User) User {
	return User{
		ID: r.ID, Username: r.Username, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
		IsActive: r.IsActive, IsStaff: r.IsStaff, IsSuperuser: r.IsSuperuser,
		DateJoined: r.DateJoined, LastLogin: r.LastLogin, LockedUntil: r.LockedUntil,
	}
}

// System is the principal of the server's own commands (initial-setup,
// createsuperuser, create-tenant): it may do anything.
var System = Principal{Username: "(system)", IsSuperuser: true}

// CreateUser adds a user for by. A taken username is a Conflict. A caller
// who is not a superuser cannot create superusers or staff, and may put the
// user only in groups (those named, else the default ones) whose every
// label it holds itself.
func (s *Store) CreateUser(ctx context.Context, by Principal, u NewUser) (User, error) {
	switch u.Username {
	case "":
		return User{}, Errorf(Invalid, "username: This field is required.")
	case RemovedUser:
		return User{}, errReservedUsername
	}
	if (u.IsSuperuser || u.IsStaff) && !by.IsSuperuser {
		return User{}, errSuperuserOnly
	}
	groups, explicit := u.Groups, u.Groups != nil
	if !explicit {
		groups = s.defaultGroups
	}
	held, err := s.held(ctx, by)
	if err != nil {
		return User{}, err
	}
	// Hash before the transaction: it is slow and needs no connection.
	hash := unusablePassword
	if u.Password != "" {
		if hash, err = s.hash(ctx, u.Password); err != nil {
			return User{}, err
		}
	}
	var row db.User
	err = s.change(ctx, "User", "User.create", func(_ pgx.Tx, q *db.Queries, log *changeLog) (err error) {
		if len(groups) > 0 && held != nil {
			rows, err := q.GroupResolve(ctx, db.GroupResolveParams{Names: groups})
			if err != nil {
				return err
			}
			ids := make([]int64, len(rows))
			for i, g := range rows {
				ids[i] = g.ID
			}
			if err := mayJoin(ctx, q, held, ids); err != nil {
				return err
			}
		}
		row, err = q.UserCreate(ctx, db.UserCreateParams{
			Username: u.Username, Email: u.Email, Password: hash, FirstName: u.FirstName, LastName: u.LastName,
			IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser, IsActive: !u.Inactive,
		})
		if err != nil {
			return err
		}
		log.add(row.Username, map[string]any{"user_id": row.ID, "email": row.Email, "groups": nonNil(groups),
			"is_active": row.IsActive, "is_staff": row.IsStaff, "is_superuser": row.IsSuperuser})
		if len(groups) == 0 {
			return nil
		}
		joined, err := q.UserJoinGroupsByName(ctx, db.UserJoinGroupsByNameParams{UserID: row.ID, Names: groups})
		if err == nil && explicit {
			if missing := firstMissing(groups, joined); missing != "" {
				return Errorf(Invalid, "groups: Group %q does not exist.", missing)
			}
		}
		return err
	})
	if err != nil {
		return User{}, err
	}
	return userFromRow(row), nil
}

// HasSuperuser tells whether any superuser exists, for initial setup.
func (s *Store) HasSuperuser(ctx context.Context) (bool, error) {
	has, err := s.q.UserHasSuperuser(ctx)
	return has, translate(err, "User")
}

// UserChange is what UpdateUser changes; nil keeps a value.
type UserChange struct {
	FirstName, LastName, Email     *string
	Password                       *string // the new password in plain text
	OldPassword                    *string // the current one: needed to change one's own
	IsActive, IsStaff, IsSuperuser *bool
	Unlock                         bool // lift a login lockout
}

// UpdateUser changes a user's account for by, refusing escalation (a user
// changing its own password must give the old one): only a
// superuser sets is_staff or is_superuser or changes a superuser; and a
// caller who is not one changes another user's password or email only when
// it holds every label that user holds, globally and in every tenant the
// user works in, since whoever knows the password acts as the user. A new
// password or a deactivation ends the user's sessions; deactivation keeps
// its groups and grants, which apply again once it is reactivated.
func (s *Store) UpdateUser(ctx context.Context, by Principal, id int64, c UserChange) (User, error) {
	if (c.IsStaff != nil || c.IsSuperuser != nil) && !by.IsSuperuser {
		return User{}, errSuperuserOnly
	}
	if c.Password != nil && by.UserID == id {
		if err := s.checkPassword(ctx, by, c.OldPassword); err != nil {
			return User{}, err
		}
	}
	var hash *string
	if c.Password != nil {
		h, err := s.hash(ctx, *c.Password)
		if err != nil {
			return User{}, err
		}
		hash = &h
	}
	var held []string
	outrank := by.UserID != id && (c.Password != nil || c.Email != nil)
	if outrank {
		var err error
		if held, err = s.held(ctx, by); err != nil {
			return User{}, err
		}
	}
	var row db.User
	err := s.change(ctx, "User", "User.update", func(tx pgx.Tx, q *db.Queries, log *changeLog) (err error) {
		if by.UserID != id {
			if err := s.guardUsers(ctx, tx, by, held, []int64{id}, outrank); err != nil {
				return err
			}
		}
		row, err = q.UserUpdate(ctx, db.UserUpdateParams{UserID: id, FirstName: c.FirstName, LastName: c.LastName,
			Email: c.Email, Password: hash, IsActive: c.IsActive, IsStaff: c.IsStaff, IsSuperuser: c.IsSuperuser,
			Unlock: c.Unlock, Now: time.Now(), EndSessions: hash != nil || (c.IsActive != nil && !*c.IsActive)})
		if err != nil {
			return err
		}
		log.add(row.Username, c.audited(id))
		return q.AuthNotify(ctx, userPayload(id))
	})
	if err != nil {
		return User{}, err
	}
	s.cache.apply(userPayload(id))
	return userFromRow(row), nil
}

// audited is what the audit log says of a change of user id: the new
// values, except that a password is only said to have changed.
func (c UserChange) audited(id int64) map[string]any {
	d := map[string]any{"user_id": id}
	for key, v := range map[string]*string{"first_name": c.FirstName, "last_name": c.LastName, "email": c.Email} {
		if v != nil {
			d[key] = *v
		}
	}
	for key, v := range map[string]*bool{"is_active": c.IsActive, "is_staff": c.IsStaff, "is_superuser": c.IsSuperuser} {
		if v != nil {
			d[key] = *v
		}
	}
	if c.Password != nil {
		d["password"] = "changed"
	}
	if c.Unlock {
		d["is_locked"] = false
	}
	return d
}

// userPayload is the tcms_auth notification for a change to a user.
func userPayload(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }
