// An allocator for the large flat arrays of the reuse job (word hashes, n-gram keys, seeds):
// blocks of 4 MiB or more are aligned to 2 MiB and marked for transparent huge pages, so that
// the kernel maps them 2 MiB at a time. Filling such an array otherwise takes one page fault per
// 4 KiB, and random access into it one TLB miss per access: on a virtual machine the faults alone
// were a quarter of `doppel reuse`'s time (docs/reuse.md, step 1). Smaller blocks, and
// systems without transparent huge pages, get ordinary memory. Thread-safe (stateless).
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace doppel {

// Memory for `bytes` bytes, aligned to 2 MiB, advised to be backed by huge pages; release it
// with release_huge(). Throws std::bad_alloc.
void* allocate_huge(std::size_t bytes);
void release_huge(void* p) noexcept;

inline constexpr std::size_t kHugeAllocationMin = std::size_t{4} << 20;

// Blocks of `kMinBytes` or more on huge pages (a table that one lookup after another reads at
// random may want them sooner than the default).
template <typename T, std::size_t kMinBytes = kHugeAllocationMin>
struct HugePageAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = HugePageAllocator<U, kMinBytes>;
  };
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U, kMinBytes>& /*other*/) noexcept {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kMinBytes) return std::allocator<T>().allocate(n);
    return static_cast<T*>(allocate_huge(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n * sizeof(T) < kMinBytes) {
      std::allocator<T>().deallocate(p, n);
    } else {
      release_huge(p);
    }
  }
  // Elements that resize() or the size constructor adds are default-initialized, not zeroed:
  // these arrays are written in full before they are read, and zeroing hundreds of megabytes
  // first is one more pass over memory. (A type with default member initializers still gets
  // them.)
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U, kMinBytes>& /*other*/) const noexcept {
    return true;
  }
};

// A std::vector whose large buffers use huge pages.
template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace doppel
