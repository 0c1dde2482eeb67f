/*
 * Native kernels of genbench's nn bundle, called from org.genbench.nn.internal.Native.
 *
 * Products: OpenBLAS's cblas_sgemm/cblas_dgemm on Java arrays pinned with GetPrimitiveArrayCritical, so no copy is
 * made (JavaCPP's array overloads copy every operand in and out, which cost as much as the product at the sizes of a
 * VAE step). The OpenBLAS is the one the platform ships and ND4J already loaded (its path comes from JavaCPP), so
 * products here and in ND4J use the same library and the same doctor-checked kernels.
 *
 * Transcendentals: loops over float arrays that gcc vectorizes with glibc's vector math (libmvec) for the CPU it runs
 * on (target_clones), about 30x faster than the JVM's scalar Math.exp.
 */
#include <jni.h>
#include <dlfcn.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>

#pragma omp declare simd notinbranch
extern float expf(float);
#pragma omp declare simd notinbranch
extern float logf(float);
#pragma omp declare simd notinbranch
extern float log1pf(float);
#pragma omp declare simd notinbranch
extern float expm1f(float);
#pragma omp declare simd notinbranch
extern float tanhf(float);
#pragma omp declare simd notinbranch
extern float sinf(float);
#pragma omp declare simd notinbranch
extern float cosf(float);

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int, const double *, int, double, double *, int);
typedef char *(*string_fn)(void);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);

static sgemm_fn p_sgemm;
static dgemm_fn p_dgemm;
static string_fn p_corename;
static string_fn p_config;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;

JNIEXPORT jstring JNICALL Java_org_genbench_nn_internal_Native_init(JNIEnv *env, jclass cls, jstring path) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    void *h = dlopen(p, RTLD_NOW | RTLD_NOLOAD);
    if (h == NULL) {
        h = dlopen(p, RTLD_NOW);
    }
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (h == NULL) {
        return (*env)->NewStringUTF(env, dlerror());
    }
    p_sgemm = (sgemm_fn) dlsym(h, "cblas_sgemm");
    p_dgemm = (dgemm_fn) dlsym(h, "cblas_dgemm");
    p_corename = (string_fn) dlsym(h, "openblas_get_corename");
    p_config = (string_fn) dlsym(h, "openblas_get_config");
    p_set_threads = (set_threads_fn) dlsym(h, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn) dlsym(h, "openblas_get_num_threads");
    if (p_sgemm == NULL || p_dgemm == NULL) {
        return (*env)->NewStringUTF(env, "cblas_sgemm/cblas_dgemm not found in the OpenBLAS library");
    }
    return NULL;
}

JNIEXPORT jstring JNICALL Java_org_genbench_nn_internal_Native_corename(JNIEnv *env, jclass cls) {
    return p_corename == NULL ? NULL : (*env)->NewStringUTF(env, p_corename());
}

JNIEXPORT jstring JNICALL Java_org_genbench_nn_internal_Native_config(JNIEnv *env, jclass cls) {
    return p_config == NULL ? NULL : (*env)->NewStringUTF(env, p_config());
}

JNIEXPORT jint JNICALL Java_org_genbench_nn_internal_Native_threads(JNIEnv *env, jclass cls) {
    return p_get_threads == NULL ? -1 : p_get_threads();
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_setThreads(JNIEnv *env, jclass cls, jint n) {
    if (p_set_threads != NULL) {
        p_set_threads(n);
    }
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_sgemm(JNIEnv *env, jclass cls, jboolean ta, jboolean tb,
        jint m, jint n, jint k, jfloat alpha, jfloatArray a, jint aOff, jint lda, jfloatArray b, jint bOff, jint ldb,
        jfloat beta, jfloatArray c, jint cOff, jint ldc) {
    float *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    float *pb = b == a ? pa : (*env)->GetPrimitiveArrayCritical(env, b, NULL);
    float *pc = (*env)->GetPrimitiveArrayCritical(env, c, NULL);
    p_sgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, pa + aOff, lda, pb + bOff, ldb,
            beta, pc + cOff, ldc);
    (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
    if (b != a) {
        (*env)->ReleasePrimitiveArrayCritical(env, b, pb, JNI_ABORT);
    }
    (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_dgemm(JNIEnv *env, jclass cls, jboolean ta, jboolean tb,
        jint m, jint n, jint k, jdouble alpha, jdoubleArray a, jint aOff, jint lda, jdoubleArray b, jint bOff, jint ldb,
        jdouble beta, jdoubleArray c, jint cOff, jint ldc) {
    double *pa = (*env)->GetPrimitiveArrayCritical(env, a, NULL);
    double *pb = b == a ? pa : (*env)->GetPrimitiveArrayCritical(env, b, NULL);
    double *pc = (*env)->GetPrimitiveArrayCritical(env, c, NULL);
    p_dgemm(ROW_MAJOR, ta ? TRANS : NO_TRANS, tb ? TRANS : NO_TRANS, m, n, k, alpha, pa + aOff, lda, pb + bOff, ldb,
            beta, pc + cOff, ldc);
    (*env)->ReleasePrimitiveArrayCritical(env, c, pc, 0);
    if (b != a) {
        (*env)->ReleasePrimitiveArrayCritical(env, b, pb, JNI_ABORT);
    }
    (*env)->ReleasePrimitiveArrayCritical(env, a, pa, JNI_ABORT);
}

/* Operation codes, as in Native.java. */
enum { EXP = 0, LOG = 1, LOG1P = 2, EXPM1 = 3, TANH = 4, SIGMOID = 5, SOFTPLUS = 6, SIN = 7, COS = 8 };

__attribute__((target_clones("avx512f", "avx2", "default")))
static void unary(int op, const float *restrict x, float *restrict y, int n) {
    switch (op) {
    case EXP:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = expf(x[i]);
        break;
    case LOG:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = logf(x[i]);
        break;
    case LOG1P:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = log1pf(x[i]);
        break;
    case EXPM1:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = expm1f(x[i]);
        break;
    case TANH:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = tanhf(x[i]);
        break;
    case SIGMOID:
        /* 1 / (1 + e^-x) without overflow: with e = e^-|x|, 1/(1+e) for x >= 0 and e/(1+e) otherwise. */
#pragma omp simd
        for (int i = 0; i < n; i++) {
            float v = x[i];
            float e = expf(-fabsf(v));
            float r = 1.0f / (1.0f + e);
            y[i] = v >= 0.0f ? r : e * r;
        }
        break;
    case SOFTPLUS:
        /* log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, full precision for large |x|. */
#pragma omp simd
        for (int i = 0; i < n; i++) {
            float v = x[i];
            y[i] = (v > 0.0f ? v : 0.0f) + log1pf(expf(-fabsf(v)));
        }
        break;
    case SIN:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = sinf(x[i]);
        break;
    case COS:
#pragma omp simd
        for (int i = 0; i < n; i++) y[i] = cosf(x[i]);
        break;
    }
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_unary(JNIEnv *env, jclass cls, jint op, jfloatArray x,
        jint xOff, jfloatArray y, jint yOff, jint n) {
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *py = y == x ? px : (*env)->GetPrimitiveArrayCritical(env, y, NULL);
    unary(op, px + xOff, py + yOff, n);
    if (y != x) {
        (*env)->ReleasePrimitiveArrayCritical(env, y, py, 0);
    }
    (*env)->ReleasePrimitiveArrayCritical(env, x, px, 0);
}

/* softplus(x) and sigmoid(x) from one exponential: what a Bernoulli log-likelihood with logits and its gradient need. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void softplus_sigmoid(const float *restrict x, float *restrict sp, float *restrict sg, int n) {
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float v = x[i];
        float e = expf(-fabsf(v));
        float r = 1.0f / (1.0f + e);
        sp[i] = (v > 0.0f ? v : 0.0f) + log1pf(e);
        sg[i] = v >= 0.0f ? r : e * r;
    }
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_softplusSigmoid(JNIEnv *env, jclass cls, jfloatArray x,
        jint xOff, jfloatArray sp, jint spOff, jfloatArray sg, jint sgOff, jint n) {
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *psp = (*env)->GetPrimitiveArrayCritical(env, sp, NULL);
    float *psg = (*env)->GetPrimitiveArrayCritical(env, sg, NULL);
    softplus_sigmoid(px + xOff, psp + spOff, psg + sgOff, n);
    (*env)->ReleasePrimitiveArrayCritical(env, sg, psg, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, sp, psp, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

/* Leaky ReLU (slope 0: ReLU) and its backward pass: selects that gcc vectorizes and the JIT does not. */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void leaky(const float *restrict x, float *restrict y, int n, float slope) {
#pragma omp simd
    for (int i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v > 0.0f ? v : slope * v;
    }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
static void leaky_backward(const float *restrict x, const float *restrict g, float *restrict out, int n, float slope,
                           int add) {
    if (add) {
#pragma omp simd
        for (int i = 0; i < n; i++) out[i] += x[i] > 0.0f ? g[i] : slope * g[i];
    } else {
#pragma omp simd
        for (int i = 0; i < n; i++) out[i] = x[i] > 0.0f ? g[i] : slope * g[i];
    }
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_leakyRelu(JNIEnv *env, jclass cls, jfloatArray x,
        jfloatArray y, jint n, jfloat slope) {
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *py = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
    leaky(px, py, n, slope);
    (*env)->ReleasePrimitiveArrayCritical(env, y, py, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}

JNIEXPORT void JNICALL Java_org_genbench_nn_internal_Native_leakyReluBackward(JNIEnv *env, jclass cls, jfloatArray x,
        jfloatArray g, jfloatArray out, jint n, jfloat slope, jboolean add) {
    float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
    float *pg = (*env)->GetPrimitiveArrayCritical(env, g, NULL);
    float *po = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
    leaky_backward(px, pg, po, n, slope, add);
    (*env)->ReleasePrimitiveArrayCritical(env, out, po, 0);
    (*env)->ReleasePrimitiveArrayCritical(env, g, pg, JNI_ABORT);
    (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
}
