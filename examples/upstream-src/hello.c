/* A complete program with no C library: prints a greeting and exits. */
static const char message[] = "Hello from a Holdfast sample image: this copy was verified by digest.\n";

#if defined(__x86_64__)
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
#define SYS_WRITE 1
#define SYS_EXIT 60
#elif defined(__aarch64__)
static long sys3(long n, long a, long b, long c) {
  register long x8 __asm__("x8") = n, x0 __asm__("x0") = a, x1 __asm__("x1") = b, x2 __asm__("x2") = c;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}
#define SYS_WRITE 64
#define SYS_EXIT 93
#endif

void _start(void) {
  sys3(SYS_WRITE, 1, (long) message, sizeof message - 1);
  sys3(SYS_EXIT, 0, 0, 0);
  for (;;) {}
}
