#pragma once

// Clang's thread-safety annotations (leveldb's port/thread_annotations.h):
// they state which mutex guards a member and which a function needs held,
// and clang's -Wthread-safety (on in clang builds, CMakeLists.txt) refuses
// code that breaks them. They expand to nothing for other compilers.
//
// libstdc++'s std::mutex carries none: annotate a starlog::Mutex (mutex.h).

#if defined(__clang__)
#define STARLOG_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define STARLOG_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (Mutex), and a type whose objects hold one for their
// lifetime (MutexLock).
#define CAPABILITY(name) STARLOG_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY STARLOG_THREAD_ANNOTATION(scoped_lockable)

// A data member that may be read or written only with "mu" held.
#define GUARDED_BY(mu) STARLOG_THREAD_ANNOTATION(guarded_by(mu))

// Lock order: a mutex that is never taken while holding, or before, these.
// (Clang checks the order under -Wthread-safety-beta, on in clang builds.)
#define ACQUIRED_AFTER(...) STARLOG_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// A function that must be called with these held, or with them not held
// (because it takes them itself).
#define REQUIRES(...) STARLOG_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) STARLOG_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// A function that takes, releases, or vouches for holding a lock.
#define ACQUIRE(...) STARLOG_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) STARLOG_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define ASSERT_CAPABILITY(x) STARLOG_THREAD_ANNOTATION(assert_capability(x))
