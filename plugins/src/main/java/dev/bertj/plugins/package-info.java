package dev.bertj.plugins;
