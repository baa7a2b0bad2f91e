// A stand-in for the few CUDA runtime calls of the host code in templates/cuda/explicit-rk.cu, so that g++ can
// build that code (-DODEFORGE_CUDA_MOCK -include this file) and a test can exercise it without a GPU: "device"
// and "pinned" memory are host memory, copies are memcpy, streams run in call order, and odeforge_mock_launch
// stands for the kernel launch (the template then runs the trajectories itself). Counters say what was called.
#pragma once
#include <stdlib.h>
#include <string.h>

typedef int cudaError_t;
typedef void* cudaStream_t;
typedef void* cudaEvent_t;
enum cudaMemcpyKind { cudaMemcpyHostToDevice = 1, cudaMemcpyDeviceToHost = 2 };
struct cudaDeviceProp {
  char name[256];
};
#define cudaSuccess 0
#define cudaErrorInvalidValue 1
#define cudaErrorMemoryAllocation 2
#define cudaStreamNonBlocking 1
#define cudaHostAllocDefault 0

// Counters: {device mallocs, device frees, host allocs, host frees, copies in, copies out, launches, live bytes}.
static long long odeforge_mock_counts[8];
// A device allocation larger than this fails (the test makes growth fail on purpose); 0: no limit.
static size_t odeforge_mock_limit = 0;

extern "C" void odeforge_mock_stats(double* out) {
  for (int j = 0; j < 8; j++) out[j] = (double)odeforge_mock_counts[j];
}
extern "C" void odeforge_mock_set_limit(double bytes) { odeforge_mock_limit = (size_t)bytes; }

static cudaError_t cudaMalloc(void** p, size_t n) {
  if (odeforge_mock_limit != 0 && n > odeforge_mock_limit) return cudaErrorMemoryAllocation;
  odeforge_mock_counts[0]++;
  *p = malloc(n);
  return *p != NULL ? cudaSuccess : cudaErrorMemoryAllocation;
}
static cudaError_t cudaFree(void* p) {
  odeforge_mock_counts[1]++;
  free(p);
  return cudaSuccess;
}
static cudaError_t cudaHostAlloc(void** p, size_t n, unsigned) {
  odeforge_mock_counts[2]++;
  *p = malloc(n);
  return *p != NULL ? cudaSuccess : cudaErrorMemoryAllocation;
}
static cudaError_t cudaFreeHost(void* p) {
  odeforge_mock_counts[3]++;
  free(p);
  return cudaSuccess;
}
static cudaError_t cudaMemcpyAsync(void* to, const void* from, size_t n, cudaMemcpyKind kind, cudaStream_t) {
  odeforge_mock_counts[kind == cudaMemcpyHostToDevice ? 4 : 5]++;
  memcpy(to, from, n);
  return cudaSuccess;
}
static cudaError_t cudaMemsetAsync(void* p, int v, size_t n, cudaStream_t) {
  memset(p, v, n);
  return cudaSuccess;
}
static cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) {
  *s = (cudaStream_t)1;
  return cudaSuccess;
}
static cudaError_t cudaStreamDestroy(cudaStream_t) { return cudaSuccess; }
static cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = (cudaEvent_t)1;
  return cudaSuccess;
}
static cudaError_t cudaEventDestroy(cudaEvent_t) { return cudaSuccess; }
static cudaError_t cudaEventRecord(cudaEvent_t, cudaStream_t = NULL) { return cudaSuccess; }
static cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
static cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t, cudaEvent_t) {
  *ms = 0.5f;
  return cudaSuccess;
}
static cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}
static cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int) {
  strcpy(p->name, "mock GPU");
  return cudaSuccess;
}
static const char* cudaGetErrorName(cudaError_t e) {
  return e == 0 ? "cudaSuccess" : e == 1 ? "cudaErrorInvalidValue" : "cudaErrorMemoryAllocation";
}
static cudaError_t odeforge_mock_launch(int blocks, int threads, cudaStream_t) {
  odeforge_mock_counts[6]++;
  return blocks > 0 && threads > 0 ? cudaSuccess : cudaErrorInvalidValue;
}
