import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsObject, IsOptional, IsString, Matches, ValidateNested } from 'class-validator';
import { intRange } from './int-range.decorator.js';

const ENDPOINTS = 'must be a list of etcd client URLs such as http://10.0.0.5:2379';
const FILE = 'must be the path of a PEM file';

export class EtcdConfigDto {
  @IsArray({ message: ENDPOINTS })
  @IsString({ each: true, message: ENDPOINTS })
  @Matches(/^https?:\/\/[^\s/]+:\d{1,5}\/?$/, { each: true, message: ENDPOINTS })
  endpoints!: string[];
  @IsOptional() @IsString({ message: FILE }) ca_file?: string;
  @IsOptional() @IsString({ message: FILE }) cert_file?: string;
  @IsOptional() @IsString({ message: FILE }) key_file?: string;
  @IsOptional() @IsString({ message: 'must be an etcd user name' }) username?: string;
  @IsOptional() @IsString({ message: "must be the etcd user's password" }) password?: string;
}

/** `floating_ip.quorum`: an etcd lease decides who holds each address (absent: the heartbeat mode). */
export class QuorumConfigDto {
  @IsObject({ message: 'must be a mapping with endpoints, and optionally ca_file, cert_file, key_file, username, password' })
  @ValidateNested()
  @Type(() => EtcdConfigDto)
  etcd!: EtcdConfigDto;

  @intRange(2000, 600_000, 'must be a whole number of seconds in ms, from 2000 to 600000 (etcd counts leases in seconds)')
  lease_ttl_in_ms?: number;

  @IsOptional()
  @IsString({ message: 'must be a key prefix such as /floatip' })
  @Matches(/^\/[A-Za-z0-9/_.-]{0,127}$/, { message: 'must be a key prefix such as /floatip (letters, digits, /, _, ., -)' })
  key_prefix?: string;

  @IsOptional() @IsIn(['release', 'keep'], { message: 'must be release or keep' }) on_quorum_loss?: 'release' | 'keep';
}
