import 'reflect-metadata';
import { Type } from 'class-transformer';
import { intRange } from './int-range.decorator.js';
import { QuorumConfigDto } from './quorum.config-dto.js';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, ValidateBy, ValidateNested } from 'class-validator';


const BOOLEAN = { message: 'must be true or false' };

/** A command as a list of arguments, or one string split on spaces: never run through a shell. */
function isArgv(message = 'must be a command: a list of arguments, or one string of words split on spaces (no shell)'): PropertyDecorator {
  return ValidateBy({
    name: 'isArgv',
    validator: {
      validate: (v: unknown) =>
        (typeof v === 'string' && v.trim().length > 0) ||
        (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string' || typeof a === 'number') && String(v[0]).length > 0),
      defaultMessage: () => message,
    },
  });
}

/** A string, or a non-empty list of strings. */
function isSecrets(): PropertyDecorator {
  const message = 'must be a secret of at least 16 characters, or a list of them (the first signs, all verify)';
  return ValidateBy({
    name: 'isSecrets',
    validator: {
      validate: (v: unknown) => {
        const list = typeof v === 'string' ? [v] : v;
        return Array.isArray(list) && list.length > 0 && list.every((k) => typeof k === 'string' && k.length >= 16);
      },
      defaultMessage: () => message,
    },
  });
}
/** INFINI's priority: an integer; 0 or less is unranked (INFINI draws a random one, floatip ranks it last). */
function isPriority(): PropertyDecorator {
  const message = 'must be an integer up to 65535 (0 or less: unranked)';
  return (target, key) => {
    IsOptional()(target, key);
    IsInt({ message })(target, key);
    Max(65535, { message })(target, key);
  };
}

const DOTTED = /^\d{1,3}(\.\d{1,3}){3}$/;

export class EchoConfigDto {
  @intRange(1, 65535) port?: number;
  @intRange(10, 600_000) dial_timeout_in_ms?: number;
  @intRange(30, 600_000) timeout_in_ms?: number;
  @intRange(10, 60_000) interval_in_ms?: number;
  /** 0 or absent: off */
  @intRange(0, 600_000) host_timeout_in_ms?: number;
}

export class BroadcastConfigDto {
  @IsOptional()
  @IsString({ message: 'must be a multicast group and port such as 224.3.2.2:7654' })
  @Matches(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/, { message: 'must be a multicast group and port such as 224.3.2.2:7654' })
  binding?: string;
}

export class AuthConfigDto {
  @IsOptional() @isSecrets() secret?: string | string[];
  @IsOptional() @IsString({ message: 'must be the path of a file readable by root only, one secret per line' }) secret_file?: string;
  @intRange(1000, 3_600_000) max_clock_skew_in_ms?: number;
}

export class CheckConfigDto {
  @IsOptional() @IsString({ message: 'must be a short name' }) name?: string;
  @IsOptional()
  @IsString({ message: 'must be host:port, such as 127.0.0.1:8000' })
  @Matches(/^[^\s:]+:\d{1,5}$/, { message: 'must be host:port, such as 127.0.0.1:8000' })
  tcp?: string;
  @IsOptional()
  @IsString({ message: 'must be an http:// or https:// URL' })
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http:// or https:// URL' })
  http?: string;
  @IsOptional() @isArgv() command?: string | string[];
  @intRange(100, 3_600_000) interval_in_ms?: number;
  @intRange(10, 600_000) timeout_in_ms?: number;
  @intRange(1, 100) fall?: number;
  @intRange(1, 100) rise?: number;
  @intRange(1, 65534) weight?: number;
  @IsOptional() @IsBoolean(BOOLEAN) fatal?: boolean;
  @IsOptional()
  @IsArray({ message: 'must be a list of the addresses (or groups) the check weighs on' })
  @IsString({ each: true, message: 'must be a list of the addresses (or groups) the check weighs on' })
  addresses?: string[];
}

/** One entry of `addresses:`; what it leaves out comes from the section. */
export class AddressEntryDto {
  @IsString({ message: 'must be an IPv4 or IPv6 address' }) ip!: string;
  @IsOptional() @IsString({ message: 'must be a dotted netmask such as 255.255.255.0' }) netmask?: string;
  @intRange(1, 128) prefix_length?: number;
  @isPriority() priority?: number;
  @IsOptional() @IsBoolean(BOOLEAN) forced_by_priority?: boolean;
  @IsOptional() @IsString({ message: 'must be a short alias label such as fip' }) label?: string;
  @IsOptional()
  @IsString({ message: 'must be a group name of 1 to 32 letters, digits, "_" or "-"' })
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be a group name of 1 to 32 letters, digits, "_" or "-"' })
  group?: string;
}

export class NotifyConfigDto {
  @IsOptional() @isArgv() on_master?: string | string[];
  @IsOptional() @isArgv() on_backup?: string | string[];
  @IsOptional() @isArgv() on_fault?: string | string[];
  @IsOptional() @isArgv() on_stop?: string | string[];
  @IsOptional() @isArgv() command?: string | string[];
  @intRange(100, 600_000) timeout_in_ms?: number;
}

export class StatusConfigDto {
  @IsOptional()
  @IsString({ message: 'must be host:port such as 127.0.0.1:61112, or off' })
  @Matches(/^(off|[^\s:]+:\d{1,5})$/, { message: 'must be host:port such as 127.0.0.1:61112, or off' })
  listen?: string;
}

/** The `floating_ip:` section as written, before defaults and auto-detection. */
export class FloatingIpConfigDto {
  @IsOptional() @IsBoolean(BOOLEAN) enabled?: boolean;
  @IsOptional() @IsString({ message: 'must be a dotted IPv4 address' }) @Matches(DOTTED, { message: 'must be a dotted IPv4 address' }) ip?: string;
  @IsOptional() @IsString({ message: 'must be a dotted netmask such as 255.255.255.0' }) netmask?: string;
  @IsOptional() @IsString({ message: 'must be an interface name such as eth0' }) interface?: string;
  @IsOptional() @IsString({ message: 'must be a dotted IPv4 address' }) @Matches(DOTTED, { message: 'must be a dotted IPv4 address' }) local_ip?: string;
  @isPriority() priority?: number;
  @intRange(1, 128) prefix_length?: number;
  /** INFINI's one peer; floatip adds it to peers. */
  @IsOptional() @IsString({ message: 'must be a dotted IPv4 address' }) @Matches(DOTTED, { message: 'must be a dotted IPv4 address' }) peer_ip?: string;
  @IsOptional() @IsBoolean(BOOLEAN) forced_by_priority?: boolean;
  @IsOptional() @IsString({ message: 'must be a short alias label such as fip' }) label?: string;
  @IsOptional() @IsIn(['auto', 'ifconfig', 'ip'], { message: 'must be auto, ifconfig or ip' }) address_tool?: 'auto' | 'ifconfig' | 'ip';

  @IsOptional()
  @IsArray({ message: 'must be a list of addresses, each a mapping with ip and optionally netmask, prefix_length, priority, forced_by_priority, label, group' })
  @ValidateNested({ each: true })
  @Type(() => AddressEntryDto)
  addresses?: AddressEntryDto[];

  @IsOptional()
  @IsObject({ message: 'must be a mapping with port, dial_timeout_in_ms, timeout_in_ms, interval_in_ms, host_timeout_in_ms' })
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

  @IsOptional()
  @IsArray({ message: 'must be a list of IPv4 addresses to probe with ICMP, such as the router' })
  @IsString({ each: true, message: 'must be a list of IPv4 addresses to probe with ICMP, such as the router' })
  witness?: string[];

  @IsOptional()
  @IsObject({ message: 'must be a mapping with secret or secret_file' })
  @ValidateNested()
  @Type(() => AuthConfigDto)
  auth?: AuthConfigDto;

  @IsOptional()
  @IsArray({ message: 'must be a list of checks (tcp, http or command)' })
  @ValidateNested({ each: true })
  @Type(() => CheckConfigDto)
  checks?: CheckConfigDto[];

  @IsOptional()
  @IsObject({ message: 'must be a mapping with on_master, on_backup, on_fault, on_stop or command' })
  @ValidateNested()
  @Type(() => NotifyConfigDto)
  notify?: NotifyConfigDto;

  @IsOptional()
  @IsObject({ message: 'must be a mapping with listen' })
  @ValidateNested()
  @Type(() => StatusConfigDto)
  status?: StatusConfigDto;

  @IsOptional()
  @IsObject({ message: 'must be a mapping with etcd, lease_ttl_in_ms, key_prefix, on_quorum_loss' })
  @ValidateNested()
  @Type(() => QuorumConfigDto)
  quorum?: QuorumConfigDto;
}
