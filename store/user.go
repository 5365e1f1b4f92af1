package store

import (
	"context"
	"errors"
	"math"
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

// IsLocked tells whether too many wrong passwords lock the user out at now.
func (u User) IsLocked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
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

// errWrongCredentials is the one answer to every failed login, so that it
// does not reveal whether the username exists or is active.
var errWrongCredentials = &Error{Kind: Invalid, Message: "Wrong username or password"}

// errLocked answers every login of a locked user, right password or not.
var errLocked = &Error{Kind: Invalid, Message: "Account is locked after too many failed logins; try again later or ask an administrator to unlock it"}

// Default login policy: Kiwi TCMS has none; these stop online guessing
// without bothering a user who mistypes.
const (
	DefaultLoginMaxFailures = 5
	DefaultLoginLockout     = 15 * time.Minute
)

// loginPolicy is how many wrong passwords in a row lock a user, and for
// how long. maxFailures <= 0 turns lockout off.
type loginPolicy struct {
	maxFailures int
	lockout     time.Duration
}

// SetLoginPolicy sets how many wrong passwords in a row (maxFailures)
// lock a user out, and for how long; maxFailures <= 0 turns lockout off.
// Open starts with DefaultLoginMaxFailures and DefaultLoginLockout.
func (s *Store) SetLoginPolicy(maxFailures int, lockout time.Duration) {
	s.policy.Store(&loginPolicy{maxFailures: maxFailures, lockout: lockout})
}

// UnlockUser lifts a user's lockout and forgets the wrong passwords
// counted so far.
func (s *Store) UnlockUser(ctx context.Context, userID int64) error {
	err := s.withTx(ctx, func(q *db.Queries) error {
		n, err := q.UserUnlock(ctx, userID)
		if err == nil && n == 0 {
			err = pgx.ErrNoRows
		}
		return err
	})
	return translate(err, "User")
}

// CreateUser adds an active user. A taken username is a Conflict.
func (s *Store) CreateUser(ctx context.Context, u NewUser) (User, error) {
	if u.Username == "" {
		return User{}, Errorf(Invalid, "username: This field is required.")
	}
	// Hash before the transaction: it is slow and needs no connection.
	hash := unusablePassword
	if u.Password != "" {
		hash = hashPassword(u.Password)
	}
	groups, explicit := u.Groups, u.Groups != nil
	if !explicit {
		groups = s.defaultGroups
	}
	var row db.User
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		row, err = q.UserCreate(ctx, db.UserCreateParams{
			Username: u.Username, Email: u.Email, Password: hash, FirstName: u.FirstName, LastName: u.LastName,
			IsStaff: u.IsStaff, IsSuperuser: u.IsSuperuser, IsActive: !u.Inactive,
		})
		if err != nil || len(groups) == 0 {
			return err
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
		return User{}, translate(err, "User")
	}
	return userFromRow(row), nil
}

// HasSuperuser tells whether any superuser exists, for initial setup.
func (s *Store) HasSuperuser(ctx context.Context) (bool, error) {
	var has bool
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		has, err = q.UserHasSuperuser(ctx)
		return err
	})
	return has, translate(err, "User")
}

// SetUserActive activates or deactivates a user. Deactivating also ends
// all the user's sessions; either way every process drops what it has
// cached for the user (sessions, Basic credentials and API tokens). The
// user's tokens are kept but refused while the user is inactive.
func (s *Store) SetUserActive(ctx context.Context, userID int64, active bool) error {
	return s.changeUser(ctx, userID, !active, func(q *db.Queries) (int64, error) {
		return q.UserSetActive(ctx, db.UserSetActiveParams{ID: userID, IsActive: active})
	})
}

// SetPassword replaces a user's password and, as in Kiwi TCMS, ends the
// user's sessions. Every process drops the user's cached credentials, so
// the old password stops working for HTTP Basic. API tokens stay valid.
func (s *Store) SetPassword(ctx context.Context, userID int64, password string) error {
	hash := hashPassword(password)
	return s.changeUser(ctx, userID, true, func(q *db.Queries) (int64, error) {
		return q.UserSetPassword(ctx, db.UserSetPasswordParams{ID: userID, Password: hash})
	})
}

// changeUser runs update, which reports the rows it changed, on one user;
// ends the user's sessions when endSessions; and tells every process to
// drop what it caches of the user.
func (s *Store) changeUser(ctx context.Context, userID int64, endSessions bool, update func(q *db.Queries) (int64, error)) error {
	now := time.Now()
	err := s.withTx(ctx, func(q *db.Queries) error {
		n, err := update(q)
		if err != nil {
			return err
		}
		if n == 0 {
			return pgx.ErrNoRows
		}
		if endSessions {
			if err := q.SessionRevokeByUser(ctx, db.SessionRevokeByUserParams{UserID: userID, Now: now}); err != nil {
				return err
			}
		}
		return q.AuthNotify(ctx, userPayload(userID))
	})
	if err != nil {
		return translate(err, "User")
	}
	s.cache.apply(userPayload(userID))
	return nil
}

// Authenticate checks a username (exact match) and password and records
// the login. A Django hash is replaced by an argon2id one in the same
// transaction. Unknown users, wrong passwords and inactive users all get
// the same Invalid error. Wrong passwords are counted, and too many in a
// row lock the user out for a while (SetLoginPolicy): then every login is
// refused, with its own message, until the lockout ends or UnlockUser.
func (s *Store) Authenticate(ctx context.Context, username, password string) (User, error) {
	now := time.Now()
	policy := s.policy.Load()
	var u User
	var refused error // committed, unlike an error returned to withTx
	err := s.withTx(ctx, func(q *db.Queries) error {
		row, err := q.UserGetByUsername(ctx, username)
		if errors.Is(err, pgx.ErrNoRows) {
			verifyPassword(dummyHash(), password)
			refused = errWrongCredentials
			return nil
		}
		if err != nil {
			return err
		}
		if policy.maxFailures > 0 && userFromRow(row).IsLocked(now) {
			refused = errLocked
			return nil
		}
		ok, rehash := verifyPassword(row.Password, password)
		if !ok {
			refused = errWrongCredentials
			if policy.maxFailures <= 0 {
				return nil
			}
			until, err := q.UserLoginFailed(ctx, db.UserLoginFailedParams{
				ID: row.ID, MaxFailures: int32(min(policy.maxFailures, math.MaxInt32)), LockedUntil: now.Add(policy.lockout),
			})
			if until != nil && now.Before(*until) {
				refused = errLocked
			}
			return err
		}
		if !row.IsActive {
			refused = errWrongCredentials
			return nil
		}
		var newHash *string
		if rehash {
			h := hashPassword(password)
			newHash = &h
		}
		if err := q.UserLoggedIn(ctx, db.UserLoggedInParams{ID: row.ID, Now: now, Password: newHash}); err != nil {
			return err
		}
		u = userFromRow(row)
		u.LastLogin, u.LockedUntil = &now, nil
		return nil
	})
	if err != nil {
		return User{}, translate(err, "User")
	}
	if refused != nil {
		return User{}, refused
	}
	return u, nil
}

// userPayload is the tcms_auth notification for a change to a user.
func userPayload(userID int64) string { return "u:" + strconv.FormatInt(userID, 10) }
