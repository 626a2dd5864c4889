import { describe, expect, it } from 'vitest';
import { addArtifact, artifactWithHash, classifyFile, isSupportedUpload } from './artifacts';
import { newProject } from './project';

describe('artifact metadata', () => {
  it('classifies uploads by name, and a zip of model.json and weights as a model', () => {
    expect(classifyFile('iris.CSV')).toEqual({ type: 'table', mediaType: 'text/csv' });
    expect(classifyFile('labels.json')).toEqual({ type: 'json', mediaType: 'application/json' });
    expect(classifyFile('digit.jpeg')).toEqual({ type: 'image', mediaType: 'image/jpeg' });
    expect(classifyFile('photos.zip', 'application/zip', ['a.png'])).toEqual({ type: 'dataset', mediaType: 'application/zip' });
    expect(classifyFile('model.zip', '', ['model.json', 'group1-shard1of1.bin'])).toEqual({ type: 'model', mediaType: 'application/vnd.deepforge.tfjs-model+zip' });
    expect(classifyFile('scan.heic', 'image/heic')).toEqual({ type: 'image', mediaType: 'image/heic' });
    expect([isSupportedUpload('a.csv'), isSupportedUpload('a.exe')]).toEqual([true, false]);
  });

  it('adds metadata in one change and finds bytes the project already lists', () => {
    const project = newProject('P', 1);
    const meta = { id: 'a1', name: 'x.csv', type: 'table' as const, mediaType: 'text/csv', sha256: 'b'.repeat(64), size: 3, createdAt: 1 };
    const plan = addArtifact(meta);
    expect(plan).toEqual({ message: 'added artifact x.csv', item: 'artifacts/a1', edits: [{ op: 'put', path: ['artifacts', 'a1'], value: meta }] });
    project.artifacts.a1 = meta;
    expect(artifactWithHash(project, 'b'.repeat(64))?.id).toBe('a1');
    expect(artifactWithHash(project, 'c'.repeat(64))).toBeUndefined();
  });
});
