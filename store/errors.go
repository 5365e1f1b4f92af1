package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Kind is the closed set of error kinds the program uses. The RPC layer maps
// each kind to one fault code; anything that is not an *Error is Internal.
type Kind int

// The kinds. Invalid covers bad values and unknown references, Conflict
// duplicates, NotFound missing records. Unavailable says the database
// cannot serve the call now: it is unreachable, every connection is busy,
// or the query ran out of time; the same call may work later.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	Unavailable
)

// The Unavailable errors.
var (
	// ErrUnavailable: the database cannot be reached, or the connection to
	// it broke.
	ErrUnavailable = &Error{Kind: Unavailable, Message: "database unavailable"}
	// ErrBusy: no connection came free within the pool's wait, or the
	// database refuses more connections.
	ErrBusy = &Error{Kind: Unavailable, Message: "server busy: every database connection is in use; try again shortly"}
	// ErrQueryTimeout: a statement ran longer than the statement timeout
	// (see Options) and the database cancelled it.
	ErrQueryTimeout = &Error{Kind: Unavailable, Message: "the query took longer than the statement timeout and was cancelled"}
)

// Error is an error meant for the caller: Message is safe to show.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of err: the Kind of an *Error in its chain, or
// Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// translate turns driver errors into kinds by SQLSTATE, never by message
// text. model names the entity for "does not exist" messages.
func translate(err error, model string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return Errorf(NotFound, "%s matching query does not exist.", model)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return Errorf(Conflict, "%s with this %s already exists.", model, uniqueField(pg))
		case "23503":
			return Errorf(Invalid, "Select a valid choice. That choice is not one of the available choices.")
		case "23514", "23502", "22001", "22P02", "22003":
			return Errorf(Invalid, "%s: invalid value.", model)
		}
	}
	if e := unavailable(err); e != nil {
		return e
	}
	return err
}

// unavailable classifies the errors that say the database cannot serve
// the call now, and returns nil for any other.
func unavailable(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "57014": // query_canceled: by statement_timeout, or for a caller gone
			return ErrQueryTimeout
		case pg.Code == "53300": // too_many_connections
			return ErrBusy
		case strings.HasPrefix(pg.Code, "08"), strings.HasPrefix(pg.Code, "57P"): // connection exception, shutdown
			return ErrUnavailable
		}
	}
	var connect *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connect) || errors.As(err, &netErr) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ErrUnavailable
	}
	return nil
}

// uniqueField names the column set of a violated unique constraint from the
// constraint's COMMENT-free naming convention <table>_<col>[_<col>]_key.
func uniqueField(pg *pgconn.PgError) string {
	if f, ok := uniqueFields[pg.ConstraintName]; ok {
		return f
	}
	return "value"
}

// uniqueFields maps unique constraint names to the field words Kiwi prints
// ("Build with this Version and Name already exists.").
var uniqueFields = map[string]string{
	"users_username_key":                 "Username",
	"groups_name_key":                    "Name",
	"permissions_app_label_codename_key": "App label and Codename",
	"api_tokens_user_id_name_key":        "Name",
	"environments_name_key":              "Name",
	"bug_trackers_name_key":              "Name",

	"plan_types_name_key":              "Name",
	"test_execution_statuses_name_key": "Name",
	"severities_name_key":              "Name",

	// catalogue: management entities
	"classifications_name_key":       "Name",
	"products_name_key":              "Name",
	"versions_product_id_value_key":  "Product and Value",
	"builds_version_id_name_key":     "Version and Name",
	"categories_product_id_name_key": "Product and Name",
	"components_product_id_name_key": "Product and Name",
	"priorities_value_key":           "Value",

	// tenants
	"tenants_schema_name_key": "Schema name",
	"tenant_domains_pkey":     "Domain",
	"tenant_groups_name_key":  "Name",
}
