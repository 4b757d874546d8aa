/**
 * Fréchet distance between two sets of feature vectors, each modelled as a Gaussian:
 * |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1^1/2 S2 S1^1/2)^1/2). Symmetric square roots via Jacobi
 * eigendecomposition (the matrices are small).
 */

export function frechetDistance(a: Float32Array, b: Float32Array, dim: number): number {
  const [muA, covA] = meanCov(a, dim);
  const [muB, covB] = meanCov(b, dim);
  let meanTerm = 0;
  for (let i = 0; i < dim; i++) meanTerm += (muA[i] - muB[i]) ** 2;
  const rootA = symmetricPower(covA, dim, 0.5);
  const inner = multiply(multiply(rootA, covB, dim), rootA, dim);
  const cross = symmetricPower(inner, dim, 0.5);
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += covA[i * dim + i] + covB[i * dim + i] - 2 * cross[i * dim + i];
  return meanTerm + trace;
}

function meanCov(x: Float32Array, dim: number): [Float64Array, Float64Array] {
  const n = x.length / dim;
  const mu = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let i = 0; i < dim; i++) mu[i] += x[r * dim + i] / n;
  const cov = new Float64Array(dim * dim);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < dim; i++) {
      const di = x[r * dim + i] - mu[i];
      for (let j = i; j < dim; j++) cov[i * dim + j] += (di * (x[r * dim + j] - mu[j])) / (n - 1);
    }
  }
  for (let i = 0; i < dim; i++) for (let j = 0; j < i; j++) cov[i * dim + j] = cov[j * dim + i];
  return [mu, cov];
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const v = a[i * n + k];
      if (v === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += v * b[k * n + j];
    }
  }
  return out;
}

/** A^p for a symmetric positive semi-definite A (negative eigenvalues from rounding clamp to 0). */
export function symmetricPower(m: Float64Array, n: number, p: number): Float64Array {
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j] ** 2;
    if (off < 1e-18) break;
    for (let p0 = 0; p0 < n; p0++) {
      for (let q = p0 + 1; q < n; q++) {
        const apq = a[p0 * n + q];
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (a[q * n + q] - a[p0 * n + p0]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p0];
          const akq = a[k * n + q];
          a[k * n + p0] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p0 * n + k];
          const aqk = a[q * n + k];
          a[p0 * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p0];
          const vkq = v[k * n + q];
          v[k * n + p0] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const lambda = Math.max(0, a[k * n + k]) ** p;
    for (let i = 0; i < n; i++) {
      const vik = v[i * n + k] * lambda;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * v[j * n + k];
    }
  }
  return out;
}
