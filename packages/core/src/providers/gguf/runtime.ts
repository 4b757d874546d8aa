import { getLlama, type Llama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';

let llamaPromise: Promise<Llama> | undefined;

/** The process-wide llama.cpp binding, CPU only, using the prebuilt binary (never builds or downloads). */
export function llamaRuntime(): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
  });
  return llamaPromise;
}

const models = new Map<string, { model: Promise<LlamaModel>; users: number }>();

/** Loads a GGUF file once per process; every holder must call `releaseModel` when done. */
export async function acquireModel(path: string): Promise<LlamaModel> {
  let entry = models.get(path);
  if (!entry) {
    const model = llamaRuntime().then((llama) => llama.loadModel({ modelPath: path, gpuLayers: 0 }));
    entry = { model, users: 0 };
    models.set(path, entry);
    model.catch(() => models.delete(path));
  }
  entry.users++;
  return entry.model;
}

export async function releaseModel(path: string): Promise<void> {
  const entry = models.get(path);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    models.delete(path);
    await (await entry.model).dispose();
  }
}
