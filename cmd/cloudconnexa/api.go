package main

import "github.com/spf13/cobra"

func (a *app) apiCommand() *cobra.Command { return &cobra.Command{Use: "api", Hidden: true} }
