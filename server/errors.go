package server

import (
	"errors"
	"net/http"

	"github.com/gofiber/fiber/v2"

	"github.com/dingdang-voicepay/voicepay/shop"
)

// errorTable is THE map from error classes to HTTP statuses. Every JSON
// error the server writes for a domain error goes through it; a code missing
// here (or an error without a code) is a 500.
var errorTable = map[string]int{
	shop.EINVALID:      http.StatusBadRequest,
	shop.ENOTFOUND:     http.StatusNotFound,
	shop.ECONFLICT:     http.StatusConflict,
	shop.EUNAUTHORIZED: http.StatusUnauthorized,
	shop.EUNAVAILABLE:  http.StatusServiceUnavailable,
	shop.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for err by the class of its error code
// (shop.ErrorClass), 500 for unknown codes and 200 for nil.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if s, ok := errorTable[shop.ErrorClass(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error reply outside /pay/*: a short
// public reason and, for domain errors, the skill error code.
type ErrorBody struct {
	Error string `json:"error"`
	Code  string `json:"code,omitempty"`
}

// writeError answers a domain error through the table with its user-safe
// message, and notes the full error for the access log.
func writeError(c *fiber.Ctx, err error) error {
	note(c, "err", err.Error())
	return c.Status(StatusOf(err)).JSON(ErrorBody{Error: shop.ErrorMessage(err), Code: shop.ErrorCode(err)})
}

// writeReason answers with a status and a short reason, noted for the log.
func writeReason(c *fiber.Ctx, status int, reason string) error {
	note(c, "reason", reason)
	return c.Status(status).JSON(ErrorBody{Error: reason})
}

// fiberStatus returns the status of an error returned through fiber: its own
// *fiber.Error code, else the table.
func fiberStatus(err error) (int, string) {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, fe.Message
	}
	return StatusOf(err), shop.ErrorMessage(err)
}
