import { describe, expect, it } from 'vitest';
import { formatModelRef, ModelRefError, parseModelRef, safeRef } from '../../src/providers/refs.js';

describe('model references', () => {
  it('parses the four forms', () => {
    expect(parseModelRef('hf:meta-llama/Llama-3.1-8B-Instruct')).toEqual({
      kind: 'hf',
      model: 'meta-llama/Llama-3.1-8B-Instruct',
    });
    expect(parseModelRef('hf:org/model@https://x.endpoints.huggingface.cloud/')).toEqual({
      kind: 'hf',
      model: 'org/model',
      endpointUrl: 'https://x.endpoints.huggingface.cloud',
    });
    expect(parseModelRef('openai:llama3@http://127.0.0.1:8080/v1')).toEqual({
      kind: 'openai',
      model: 'llama3',
      baseUrl: 'http://127.0.0.1:8080/v1',
    });
    expect(parseModelRef('openai:qwen2.5:7b@http://localhost:11434/v1')).toEqual({
      kind: 'openai',
      model: 'qwen2.5:7b',
      baseUrl: 'http://localhost:11434/v1',
    });
    expect(parseModelRef('gguf:./models/tiny.gguf')).toEqual({ kind: 'gguf', path: './models/tiny.gguf' });
    expect(parseModelRef(' local ')).toEqual({ kind: 'local' });
  });

  it('rejects malformed references with the accepted forms', () => {
    expect(() => parseModelRef('gpt-4')).toThrow(/use hf:<repo id>, openai:<model>@<base url>, gguf:<path> or local/);
    expect(() => parseModelRef('openai:llama3')).toThrow(ModelRefError);
    expect(() => parseModelRef('openai:llama3')).toThrow(/openai:<model>@<base url>/);
    expect(() => parseModelRef('hf:not a repo')).toThrow(/not a Hugging Face repo id/);
    expect(() => parseModelRef('gguf:')).toThrow(/gguf:<path/);
  });

  it('never shows credentials embedded in a URL', () => {
    const ref = 'openai:m@https://user:sekret-pass@host.example/v1?key=abc123';
    expect(safeRef(ref)).not.toContain('sekret-pass');
    expect(safeRef(ref)).not.toContain('abc123');
    expect(formatModelRef(parseModelRef(ref))).toBe('openai:m@https://host.example/v1');
  });
});
