#pragma once

// A TCP proxy for fault tests: forwards each connection made to its loopback
// port to a target port, and breaks the ones its plan says to: cut after a
// number of bytes from the target (mid-message, as like as not), with one
// of those bytes flipped, or rewritten as a relay in the middle pleases.

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace starlog::testutil {

struct Fault {
  enum class Kind { kNone, kCut, kCorrupt, kRewrite };
  Kind kind = Kind::kNone;
  uint64_t at = 0;  // Offset in the bytes flowing from the target.
  // kRewrite: called with each piece of bytes from the target, in order;
  // returns what the client gets instead.
  std::function<std::string(std::string_view)> rewrite;
};

class TcpProxy {
 public:
  // "plan" is asked once per connection, with its index from 0.
  TcpProxy(uint16_t target_port, std::function<Fault(int connection)> plan);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int faults() const { return faults_.load(); }

 private:
  void AcceptLoop();
  void Pump(int client, Fault fault);

  uint16_t target_port_;
  std::function<Fault(int)> plan_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> faults_{0};
  std::mutex mu_;
  std::list<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace starlog::testutil
