// Whether the client of a request still holds its connection. cpp-httplib 0.11 (Debian 12's) tells a handler
// nothing about its socket, and a non-streaming handler writes nothing until the whole answer is ready, so a
// client that hangs up mid-generation would keep its slot busy to the end. The server side of the connection
// is found by its address pair among the process's sockets; while the handler runs, httplib keeps that socket
// open, so the descriptor cannot be reused under us.
#pragma once

#include <optional>
#include <string>

namespace ttt::serve {

class ClientConnection {
 public:
  // The socket connected from `remote_addr`:`remote_port` (as httplib::Request reports them) to this
  // process's `local_port`; nullopt when none is (a test calling the handler directly, a proxy's socket gone).
  static std::optional<ClientConnection> Find(const std::string& remote_addr, int remote_port, int local_port);

  // True once the client closed or reset the connection. Bytes waiting to be read (a pipelined request) mean
  // it is still there; so does a socket with nothing to read.
  bool Closed() const;

 private:
  explicit ClientConnection(int fd) : fd_(fd) {}
  int fd_;  // owned by httplib
};

}  // namespace ttt::serve
