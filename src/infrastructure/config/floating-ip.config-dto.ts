import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

// One message per rule, naming what is allowed: the loader prefixes the key and the value.
function intRange(min: number, max: number): PropertyDecorator {
  const message = `must be an integer from ${min} to ${max}`;
  return (target, key) => {
    IsOptional()(target, key);
    IsInt({ message })(target, key);
    Min(min, { message })(target, key);
    Max(max, { message })(target, key);
  };
}

const BOOLEAN = { message: 'must be true or false' };
const DOTTED = /^\d{1,3}(\.\d{1,3}){3}$/;

export class EchoConfigDto {
  @intRange(1, 65535) port?: number;
  @intRange(10, 600_000) dial_timeout_in_ms?: number;
  @intRange(30, 600_000) timeout_in_ms?: number;
  @intRange(10, 60_000) interval_in_ms?: number;
}

export class BroadcastConfigDto {
  @IsOptional()
  @IsString({ message: 'must be a multicast group and port such as 224.3.2.2:7654' })
  @Matches(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, { message: 'must be a multicast group and port such as 224.3.2.2:7654' })
  binding?: string;
}

/** The `floating_ip:` section as written, before defaults and auto-detection. */
export class FloatingIpConfigDto {
  @IsOptional() @IsBoolean(BOOLEAN) enabled?: boolean;
  @IsOptional() @IsString({ message: 'must be a dotted IPv4 address' }) @Matches(DOTTED, { message: 'must be a dotted IPv4 address' }) ip?: string;
  @IsOptional() @IsString({ message: 'must be a dotted netmask such as 255.255.255.0' }) netmask?: string;
  @IsOptional() @IsString({ message: 'must be an interface name such as eth0' }) interface?: string;
  @IsOptional() @IsString({ message: 'must be a dotted IPv4 address' }) @Matches(DOTTED, { message: 'must be a dotted IPv4 address' }) local_ip?: string;
  @intRange(1, 254) priority?: number;
  @IsOptional() @IsBoolean(BOOLEAN) forced_by_priority?: boolean;
  @IsOptional() @IsString({ message: 'must be a short alias label such as fip' }) label?: string;
  @IsOptional() @IsIn(['auto', 'ifconfig', 'ip'], { message: 'must be auto, ifconfig or ip' }) address_tool?: 'auto' | 'ifconfig' | 'ip';

  @IsOptional()
  @IsObject({ message: 'must be a mapping with port, dial_timeout_in_ms, timeout_in_ms, interval_in_ms' })
  @ValidateNested()
  @Type(() => EchoConfigDto)
  echo?: EchoConfigDto;

  @IsOptional()
  @IsObject({ message: 'must be a mapping with binding' })
  @ValidateNested()
  @Type(() => BroadcastConfigDto)
  broadcast?: BroadcastConfigDto;

  @IsOptional()
  @IsArray({ message: 'must be a list of IPv4 addresses' })
  @IsString({ each: true, message: 'must be a list of IPv4 addresses' })
  peers?: string[];
}
