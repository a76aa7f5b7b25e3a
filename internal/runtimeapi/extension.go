package runtimeapi

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

const extensionPrefix = "/2020-01-01/extension/"

// Header names of the Extensions API.
const (
	HeaderExtensionName = "Lambda-Extension-Name"
	HeaderExtensionID   = "Lambda-Extension-Identifier"
)

// maxExtensions is how many extensions Lambda lets register in one
// execution environment.
const maxExtensions = 10

// FunctionInfo is what the Extensions API tells an extension about the
// function when it registers.
type FunctionInfo struct {
	Name    string `json:"functionName"`
	Version string `json:"functionVersion"`
	Handler string `json:"handler"`
}

// Extensions returns how many extensions have registered. Lambda shuts
// down an environment with one by sending its runtime SIGTERM first, and
// one without with SIGKILL at once.
func (s *Server) Extensions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.extensions)
}

// register serves POST /2020-01-01/extension/register for an internal
// extension (one the runtime runs itself, as aws-lambda-go's
// lambda.WithEnableSIGTERM registers), refusing as Lambda does: without a
// name, a name registered already, past the init phase, past ten
// extensions, or for a SHUTDOWN event, which Lambda sends to external
// extensions only. INVOKE events are refused too: Lambda sends them, this
// server does not.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(HeaderExtensionName)
	if name == "" {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "Extension.InvalidExtensionName", Message: "Empty extension name"})
		return
	}
	var req struct {
		Events []string `json:"events"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBufferedResponse))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "InvalidRequestFormat", Message: err.Error()})
		return
	}
	// Every event an internal extension may ask for is refused here: the
	// first one asked for is named.
	if len(req.Events) > 0 {
		e := req.Events[0]
		msg := "ErrorInvalidEventType"
		switch e {
		case "SHUTDOWN":
			msg = "ShutdownEventNotSupportedForInternalExtension"
		case "INVOKE":
			msg = "INVOKE events are not delivered by the local Runtime API"
		}
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "Extension.InvalidEventType", Message: e + ": " + msg})
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var refusal *FunctionError
	switch {
	case s.initDone:
		refusal = &FunctionError{Type: "Extension.RegistrationClosed", Message: "Extension registration closed already"}
	case len(s.extensions) >= maxExtensions:
		refusal = &FunctionError{Type: "Extension.TooManyExtensions", Message: fmt.Sprintf("Extension limit (%d) reached", maxExtensions)}
	default:
		for _, n := range s.extensions {
			if n == name {
				refusal = &FunctionError{Type: "Extension.InvalidExtensionState", Message: "Extension with this name already registered"}
			}
		}
	}
	if refusal != nil {
		writeJSON(w, http.StatusForbidden, refusal)
		return
	}
	id := newExtensionID()
	if s.extensions == nil {
		s.extensions = map[string]string{}
	}
	s.extensions[id] = name
	w.Header().Set(HeaderExtensionID, id)
	writeJSON(w, http.StatusOK, s.Function)
}

// eventNext serves GET /2020-01-01/extension/event/next. A registered
// extension subscribes to no event, so its request waits until the
// environment ends, as an internal extension's does on Lambda.
func (s *Server) eventNext(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(HeaderExtensionID)
	if id == "" {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "Extension.MissingExtensionIdentifier", Message: "Missing " + HeaderExtensionID + " header"})
		return
	}
	s.mu.Lock()
	_, known := s.extensions[id]
	s.mu.Unlock()
	if !known {
		writeJSON(w, http.StatusForbidden, &FunctionError{Type: "Extension.UnknownExtensionIdentifier", Message: "Unknown extension " + id})
		return
	}
	select {
	case <-s.closed:
		writeJSON(w, http.StatusInternalServerError, &FunctionError{Type: "ServiceException", Message: "the execution environment is shutting down"})
	case <-r.Context().Done():
	}
}

// newExtensionID returns a random UUID, as Lambda identifies extensions.
func newExtensionID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
