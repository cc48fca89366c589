import { describe, expect, it } from 'vitest';
import { redactUrl } from './status-routes.js';

describe('redactUrl', () => {
  it('drops user info and query strings, keeps the rest', () => {
    expect(redactUrl('postgres://ichigen:s3cret@db.internal:5432/ichigen?sslmode=require&password=x')).toBe('postgres://db.internal:5432/ichigen');
    expect(redactUrl('https://user:pw@mimir.example/api/v1/push?token=abc')).toBe('https://mimir.example/api/v1/push');
    expect(redactUrl('http://vm:8428')).toBe('http://vm:8428/');
    expect(redactUrl('')).toBe('');
    expect(redactUrl('not a url')).toBe('(not a URL)');
  });
});
