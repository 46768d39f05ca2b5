import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * An optional integer from `min` to `max`, with one message for every way it can be wrong, naming what is allowed:
 * the loader prefixes the key and the value.
 */
export function intRange(min: number, max: number, message = `must be an integer from ${min} to ${max}`): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsInt({ message })(target, key);
    Min(min, { message })(target, key);
    Max(max, { message })(target, key);
  };
}
